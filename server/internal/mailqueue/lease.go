package mailqueue

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bnp/undersigned/server/internal/store"
)

// held is a claimed message in this instance's hand, from its claim until
// its outcome is recorded.
type held struct {
	m store.MailMessage
	// validUntil (unix nanoseconds) is when the lease is known to run out:
	// set at the claim, pushed back by each heartbeat that renewed it in
	// time. lost: a heartbeat found the message no longer this instance's.
	validUntil atomic.Int64
	lost       atomic.Bool
}

// leases tracks the messages an instance holds and renews their leases
// with one statement every third of a lease: a heartbeat. A worker sends a
// message only while its lease holds for at least half a lease more, which
// leaves the next heartbeat time to renew it; otherwise it asks the store.
type leases struct {
	store *store.Store
	name  string
	lease time.Duration

	mu     sync.Mutex
	inHand map[string]*held
}

func newLeases(st *store.Store, name string, lease time.Duration) *leases {
	return &leases{store: st, name: name, lease: lease, inHand: map[string]*held{}}
}

// claim leases up to n due messages to this instance.
func (l *leases) claim(ctx context.Context, n int) ([]*held, error) {
	start := time.Now()
	msgs, err := l.store.ClaimMail(ctx, l.name, n, l.lease)
	if err != nil || len(msgs) == 0 {
		return nil, err
	}
	hs := make([]*held, len(msgs))
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range msgs {
		h := &held{m: msgs[i]}
		h.validUntil.Store(start.Add(l.lease).UnixNano())
		hs[i] = h
		l.inHand[h.m.ID] = h
	}
	return hs, nil
}

// done forgets a message whose outcome is recorded (or left to another).
func (l *leases) done(hs ...*held) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, h := range hs {
		delete(l.inHand, h.m.ID)
	}
}

// holds reports whether h's lease is known to last long enough to send it.
func (l *leases) holds(h *held) bool {
	return !h.lost.Load() && time.Until(time.Unix(0, h.validUntil.Load())) > l.lease/2
}

// confirm asks the store whether this instance still holds h, renewing
// the lease if so: the slow path, for a message whose heartbeats did not
// get through.
func (l *leases) confirm(ctx context.Context, h *held) (bool, error) {
	start := time.Now()
	n, err := l.store.ExtendMailLease(ctx, l.name, l.lease, h.m.ID)
	if err != nil || n == 0 {
		return false, err
	}
	h.validUntil.Store(start.Add(l.lease).UnixNano())
	h.lost.Store(false)
	return true, nil
}

// heartbeat renews every lease in hand every third of a lease until stop
// is called.
func (l *leases) heartbeat() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(l.lease / 3)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			l.renew(ctx)
		}
	}()
	return func() { cancel(); <-stopped }
}

func (l *leases) renew(ctx context.Context) {
	l.mu.Lock()
	hs := make([]*held, 0, len(l.inHand))
	ids := make([]string, 0, len(l.inHand))
	for id, h := range l.inHand {
		hs = append(hs, h)
		ids = append(ids, id)
	}
	l.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	start := time.Now()
	renewCtx, cancel := context.WithTimeout(ctx, l.lease/3)
	renewed, err := l.store.RenewMailLeases(renewCtx, l.name, l.lease, ids...)
	cancel()
	if err != nil {
		if ctx.Err() == nil {
			slog.Error("mail queue: renew leases", "err", err)
		}
		return
	}
	ok := make(map[string]bool, len(renewed))
	for _, id := range renewed {
		ok[id] = true
	}
	for _, h := range hs {
		until := h.validUntil.Load()
		switch {
		case !ok[h.m.ID]:
			// Finished, or taken over by another instance: not to be sent.
			h.lost.Store(true)
		case start.UnixNano() < until:
			// Renewed before it ran out: the lease never lapsed.
			h.validUntil.CompareAndSwap(until, start.Add(l.lease).UnixNano())
		}
	}
}
