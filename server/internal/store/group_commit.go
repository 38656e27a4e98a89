package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// groupCommit is the group commit that signing (intakeBatcher) and
// confirming (confirmBatcher) share: requests that arrive while a write is
// under way wait in a bounded queue, and the next free writer takes all of
// them (up to maxBatch) into one commit. Under light load a request is
// written alone at once; under heavy load one disk flush serves hundreds.
// What a batch is written as, and how each request is answered, is the
// commit function's business.
type groupCommit[R any] struct {
	requests chan R
	maxBatch int
	commit   func([]R)
	stop     chan struct{}
	stopped  chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
	// requestsDone and commits count, for metrics and tests; commit adds
	// to them.
	requestsDone, commits atomic.Int64
}

// newGroupCommit makes a queue of size requests; start runs its writers.
func newGroupCommit[R any](size, maxBatch int) *groupCommit[R] {
	return &groupCommit[R]{
		requests: make(chan R, size), maxBatch: maxBatch,
		stop: make(chan struct{}), stopped: make(chan struct{}),
	}
}

// start runs writers goroutines that write batches with commit.
func (g *groupCommit[R]) start(writers int, commit func([]R)) {
	g.commit = commit
	for range writers {
		g.wg.Add(1)
		go g.write()
	}
}

func (g *groupCommit[R]) full() bool { return len(g.requests) >= cap(g.requests) }

// enqueue queues r. A full queue refuses at once (ErrBusy), or, with
// waitForRoom, waits for room as long as ctx allows. Once queued, the
// caller must await r's answer even if ctx ends, so that nobody is told
// "not done" about a request that commits; stopped says when no answer
// will come any more.
func (g *groupCommit[R]) enqueue(ctx context.Context, r R, waitForRoom bool) error {
	select {
	case <-g.stop:
		return errClosed
	default:
	}
	if !waitForRoom {
		select {
		case g.requests <- r:
			return nil
		default:
			return ErrBusy
		}
	}
	select {
	case g.requests <- r:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for room: %w", ctx.Err())
	case <-g.stop:
		return errClosed
	}
}

// write is one writer: it takes what waits, writes it, repeats.
func (g *groupCommit[R]) write() {
	defer g.wg.Done()
	batch := make([]R, 0, g.maxBatch)
	for {
		select {
		case r := <-g.requests:
			batch = append(batch[:0], r)
		case <-g.stop:
			// What is queued still gets written: its callers are waiting.
			for {
				batch = g.gather(batch[:0])
				if len(batch) == 0 {
					return
				}
				g.commit(batch)
			}
		}
		g.commit(g.gather(batch))
	}
}

// gather adds what waits in the queue now to batch, up to maxBatch.
func (g *groupCommit[R]) gather(batch []R) []R {
	for len(batch) < g.maxBatch {
		select {
		case r := <-g.requests:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// close stops the writers once what is queued is written.
func (g *groupCommit[R]) close() {
	g.stopOnce.Do(func() {
		close(g.stop)
		g.wg.Wait()
		close(g.stopped)
	})
}
