package mailqueue

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/bnp/undersigned/server/internal/store"
)

// marks records sends in batches: one statement for many messages, off
// the workers' path. At most limit messages are sent and not yet recorded
// at any moment (a worker waits for room), which bounds what a kill -9
// sends twice.
type marks struct {
	store  *store.Store
	leases *leases
	limit  int

	mu       sync.Mutex
	pending  []*held
	inflight int
	room     chan struct{} // closed and replaced after each flush
	kick     chan struct{}
}

// flushEvery bounds how long a send waits to be recorded when few are sent.
const flushEvery = 100 * time.Millisecond

func newMarks(st *store.Store, l *leases, limit int) *marks {
	return &marks{store: st, leases: l, limit: max(2, limit), room: make(chan struct{}), kick: make(chan struct{}, 1)}
}

// add records h as sent, soon.
func (k *marks) add(h *held) {
	k.mu.Lock()
	for len(k.pending)+k.inflight >= k.limit {
		room := k.room
		k.mu.Unlock()
		k.kickNow()
		<-room
		k.mu.Lock()
	}
	k.pending = append(k.pending, h)
	// Flushed in quarters: a flush under way leaves room for three more
	// quarters of sends before any worker waits.
	full := len(k.pending) >= max(1, k.limit/4)
	k.mu.Unlock()
	if full {
		k.kickNow()
	}
}

func (k *marks) kickNow() {
	select {
	case k.kick <- struct{}{}:
	default:
	}
}

// run flushes until stop is called, then flushes what is left.
func (k *marks) run() (stop func()) {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(flushEvery)
		defer tick.Stop()
		for {
			select {
			case <-done:
				k.flush()
				return
			case <-k.kick:
			case <-tick.C:
			}
			k.flush()
		}
	}()
	return func() { close(done); <-stopped }
}

// flush records the pending sends in one statement. A passing error (a
// lost connection, a deadlock victim) is tried again: a send not recorded
// would go out again once its lease ran out.
func (k *marks) flush() {
	k.mu.Lock()
	batch := k.pending
	k.pending = nil
	k.inflight = len(batch)
	k.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	ids := make([]string, len(batch))
	for i, h := range batch {
		ids[i] = h.m.ID
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var err error
	var n int
	for try := 0; try < 5; try++ {
		if n, err = k.store.MarkMailSentBatch(ctx, ids); err == nil {
			break
		}
		time.Sleep(time.Duration(50<<try) * time.Millisecond)
	}
	switch {
	case err != nil:
		// The leases will run out and the messages be sent again: at worst a
		// duplicate, never a loss.
		slog.Error("mail queue: record sends", "messages", len(ids), "err", err)
	case n < len(ids):
		// Another instance finished them first; its outcome stands.
		slog.Warn("mail queue: some sends were already recorded by another instance", "messages", len(ids)-n)
	}
	k.leases.done(batch...)
	k.mu.Lock()
	k.inflight = 0
	close(k.room)
	k.room = make(chan struct{})
	k.mu.Unlock()
}
