package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"
)

// errClosed is returned by AcceptSignature once the store is closing.
var errClosed = errors.New("store: intake: closed")

// intakeBatcher is the group commit of the intake: requests that arrive
// while a write is under way wait in a bounded queue, and the next free
// writer takes all of them (up to maxBatch) into one multi-row INSERT and
// one commit. Under light load a request is written alone at once; under
// heavy load one disk flush serves hundreds of requests. A full queue
// refuses at once (ErrBusy) rather than letting waits grow without bound.
type intakeBatcher struct {
	db       *gorm.DB
	requests chan *intakeRequest
	maxBatch int
	stop     chan struct{}
	stopped  chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
	// requestsDone and commits count, for metrics and tests.
	requestsDone, commits atomic.Int64
}

type intakeRequest struct {
	entry IntakeEntry
	done  chan error
}

// newIntakeBatcher starts writers goroutines that share a queue of size
// requests.
func newIntakeBatcher(db *gorm.DB, writers, size, maxBatch int) *intakeBatcher {
	b := &intakeBatcher{
		db: db, requests: make(chan *intakeRequest, size), maxBatch: maxBatch,
		stop: make(chan struct{}), stopped: make(chan struct{}),
	}
	for range writers {
		b.wg.Add(1)
		go b.write()
	}
	return b
}

func (b *intakeBatcher) full() bool { return len(b.requests) >= cap(b.requests) }

// add queues one entry and waits until it is committed or failed.
func (b *intakeBatcher) add(ctx context.Context, e IntakeEntry) error {
	r := &intakeRequest{entry: e, done: make(chan error, 1)}
	select {
	case <-b.stop:
		return errClosed
	default:
	}
	select {
	case b.requests <- r:
	default:
		return fmt.Errorf("store: accept signature: %w", ErrBusy)
	}
	// The request is queued: its outcome is awaited even if ctx ends, so
	// that nobody is told "not accepted" about a row that commits.
	select {
	case err := <-r.done:
		return err
	case <-b.stopped:
		select {
		case err := <-r.done:
			return err
		default:
			return errClosed
		}
	}
}

// write is one writer: it takes what waits, writes it, answers, repeats.
func (b *intakeBatcher) write() {
	defer b.wg.Done()
	batch := make([]*intakeRequest, 0, b.maxBatch)
	for {
		select {
		case r := <-b.requests:
			batch = append(batch[:0], r)
		case <-b.stop:
			// What is queued still gets written: its callers are waiting.
			for {
				batch = b.gather(batch[:0])
				if len(batch) == 0 {
					return
				}
				b.commit(batch)
			}
		}
		b.commit(b.gather(batch))
	}
}

// gather adds what waits in the queue now to batch, up to maxBatch.
func (b *intakeBatcher) gather(batch []*intakeRequest) []*intakeRequest {
	for len(batch) < b.maxBatch {
		select {
		case r := <-b.requests:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// commit writes a batch in one statement and answers each request. If the
// statement fails (a campaign deleted meanwhile, say), each row is tried
// alone, so that one bad row does not fail the others.
func (b *intakeBatcher) commit(batch []*intakeRequest) {
	if len(batch) == 0 {
		return
	}
	ctx := context.Background()
	rows := make([]IntakeEntry, len(batch))
	for i, r := range batch {
		rows[i] = r.entry
	}
	err := b.db.WithContext(ctx).Create(&rows).Error
	b.commits.Add(1)
	b.requestsDone.Add(int64(len(batch)))
	if err == nil || len(batch) == 1 {
		for _, r := range batch {
			r.done <- translate("accept signature", err)
		}
		return
	}
	for _, r := range batch {
		b.commits.Add(1)
		r.done <- translate("accept signature", b.db.WithContext(ctx).Create(&r.entry).Error)
	}
}

// close stops the writers once what is queued is written.
func (b *intakeBatcher) close() {
	b.stopOnce.Do(func() {
		close(b.stop)
		b.wg.Wait()
		close(b.stopped)
	})
}
