// Package mailqueue delivers the durable mail queue. One claimer per
// instance leases due messages in batches and hands them to the workers
// (one per SMTP connection), which render and send them one at a time;
// sends are recorded in batches, and the leases of everything in hand are
// renewed together by a heartbeat, so that the database is off the path
// of each message. Temporary failures are retried with exponential backoff
// and jitter, permanent ones recorded with the server's reply; a fault of
// the connection or the server is no fault of the message's and charges it
// no attempt.
//
// Several instances share one queue. A dead instance's leases run out
// within Lease (10 s) and another takes its messages over; a live one
// sends a message only while its lease is known to hold. A kill -9 sends
// again at most the messages sent and not yet recorded: fewer than
// Workers × Batch.
package mailqueue

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/store"
)

// Options tune the queue; zero values take the defaults.
type Options struct {
	// Workers is how many messages are sent at once (MAIL_CONNECTIONS).
	Workers int
	// Rate caps messages per second for this instance; 0 is no cap.
	Rate float64
	// Batch is how many messages are claimed at a time, and bounds the
	// messages each worker may have sent and not yet recorded.
	Batch int
	// Lease is how long a claim lasts before another instance may take
	// over; a heartbeat renews it every third of a lease.
	Lease time.Duration
	// Poll is how often an idle instance looks for work another instance
	// queued (work queued here wakes it at once).
	Poll time.Duration
	// RetryBase is the first retry's delay; each further one doubles it,
	// up to RetryMax.
	RetryBase, RetryMax time.Duration
	// MaxAttempts is how many tries a message gets before it fails for good.
	MaxAttempts int
	// Name identifies this instance in leases.
	Name string
	// Expand, when set, completes a message's parameters at send time (a
	// digest delivery holds only ids; the content is read when it is sent).
	Expand func(ctx context.Context, kind, lang string, params []byte) ([]byte, error)
	// Render, when set, renders a message itself (a digest, once per
	// language) or reports false to leave it to Expand and the catalog.
	Render func(ctx context.Context, kind, lang string, params []byte) (mailers.Email, bool, error)
}

// Defaults of Options.
const (
	DefaultBatch = 50
	DefaultLease = 10 * time.Second
)

func (o *Options) defaults() {
	set := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Batch <= 0 {
		o.Batch = DefaultBatch
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 12
	}
	set(&o.Lease, DefaultLease)
	set(&o.Poll, time.Second)
	set(&o.RetryBase, 30*time.Second)
	set(&o.RetryMax, time.Hour)
	if o.Name == "" {
		o.Name = randomName()
	}
}

// Queue runs the workers of one instance.
type Queue struct {
	store     *store.Store
	catalog   *mailers.Catalog
	transport mailers.Transport
	opts      Options
	limiter   *rate.Limiter
	wake      chan struct{}
	taken     chan struct{} // a worker took a message from the claimer
	leases    *leases
	marks     *marks
	// pausedUntil (unix nanoseconds) holds every worker back while the
	// server is out of reach or asks to slow down; outage counts failures
	// in a row, for the pause's backoff.
	pausedUntil atomic.Int64
	outage      atomic.Int32
	// due holds when messages this instance put back are due again, if
	// sooner than a poll: the idle claimer wakes for them on time.
	dueMu sync.Mutex
	due   []time.Time
}

// New returns a queue that sends through transport.
func New(st *store.Store, catalog *mailers.Catalog, transport mailers.Transport, opts Options) *Queue {
	opts.defaults()
	limiter := rate.NewLimiter(rate.Inf, 1)
	if opts.Rate > 0 {
		limiter = rate.NewLimiter(rate.Limit(opts.Rate), max(1, int(opts.Rate/10)))
	}
	q := &Queue{store: st, catalog: catalog, transport: transport, opts: opts, limiter: limiter,
		wake: make(chan struct{}, 1), taken: make(chan struct{}, 1)}
	q.leases = newLeases(st, opts.Name, opts.Lease)
	q.marks = newMarks(st, q.leases, opts.Workers*opts.Batch)
	return q
}

// Wake tells the idle claimer that mail was just queued. It never blocks.
func (q *Queue) Wake() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Run sends until ctx ends. Then each worker finishes the message in hand,
// the sends are recorded, the messages claimed and not attempted are given
// back, and Run returns.
func (q *Queue) Run(ctx context.Context) {
	// Room for two claims: one being sent, the next already in hand.
	todo := make(chan *held, 2*q.claimSize())
	stopHeartbeat := q.leases.heartbeat()
	stopMarks := q.marks.run()
	claimerDone := make(chan struct{})
	go func() { defer close(claimerDone); q.claim(ctx, todo) }()
	var wg sync.WaitGroup
	for i := 0; i < q.opts.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q.work(ctx, todo)
		}()
	}
	wg.Wait()
	<-claimerDone
	stopMarks()
	// What is left was claimed and never attempted (the claimer closed todo).
	var left []*held
	for h := range todo {
		left = append(left, h)
	}
	q.release(left)
	stopHeartbeat()
}

// claim keeps todo filled with claimed messages until ctx ends, then
// closes it.
func (q *Queue) claim(ctx context.Context, todo chan<- *held) {
	defer close(todo)
	for ctx.Err() == nil {
		if q.paused(ctx) {
			continue
		}
		// Claim again once no more than a claim's worth is waiting: the next
		// claim arrives before the workers run dry, and the instance never
		// holds much more than two claims' worth.
		for len(todo) > cap(todo)/2 {
			select {
			case <-q.taken:
			case <-ctx.Done():
				return
			}
		}
		// Not cancelled by the shutdown: a claim the database made must come
		// back here to be released, not be lost with the cancelled request.
		claimCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), q.opts.Lease/2)
		claimed, err := q.leases.claim(claimCtx, q.claimSize())
		cancel()
		if err != nil {
			slog.Error("mail queue: claim", "err", err)
		}
		if ctx.Err() != nil {
			q.release(claimed)
			return
		}
		if len(claimed) == 0 {
			q.idle(ctx)
			continue
		}
		for i, h := range claimed {
			select {
			case todo <- h:
			case <-ctx.Done():
				q.release(claimed[i:])
				return
			}
		}
	}
}

// claimSize is how many messages one claim takes: enough that the
// claimer, a round trip per claim, keeps every worker busy. (A claimed
// message not yet sent is never sent twice: the bound on duplicates is
// the marks'.)
func (q *Queue) claimSize() int {
	n := q.opts.Batch * max(2, q.opts.Workers)
	if q.opts.Rate > 0 {
		// Half a second of sending at the capped rate: an instance holds no
		// more than it will send soon, and others share a digest with it.
		n = min(n, max(q.opts.Workers, int(q.opts.Rate/2)))
	}
	return n
}

// work sends messages from todo until it is closed or ctx ends. Each
// worker prepares (opens, renders) its next message while it sends the one
// in hand, so that rendering is off the connection's path.
func (q *Queue) work(ctx context.Context, todo <-chan *held) {
	ready := make(chan *outgoing, 1)
	go func() {
		defer close(ready)
		for {
			var h *held
			var ok bool
			select {
			case h, ok = <-todo:
			case <-ctx.Done():
				return
			}
			if !ok {
				return
			}
			select {
			case q.taken <- struct{}{}:
			default:
			}
			o := q.prepare(h)
			if o == nil {
				continue
			}
			select {
			case ready <- o:
			case <-ctx.Done():
				q.release([]*held{o.h})
				return
			}
		}
	}()
	for o := range ready {
		q.paused(ctx)
		if err := q.limiter.Wait(ctx); err != nil || ctx.Err() != nil {
			q.release([]*held{o.h})
			continue
		}
		q.send(o)
	}
}

// paused waits out a pause (the server is out of reach or asked to slow
// down); it reports whether it waited.
func (q *Queue) paused(ctx context.Context) bool {
	until := time.Unix(0, q.pausedUntil.Load())
	wait := time.Until(until)
	if wait <= 0 {
		return false
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
	return true
}

// pause holds every worker back for d (or longer, if already paused).
func (q *Queue) pause(d time.Duration) {
	until := time.Now().Add(d).UnixNano()
	for {
		cur := q.pausedUntil.Load()
		if cur >= until || q.pausedUntil.CompareAndSwap(cur, until) {
			return
		}
	}
}

// idle waits for a wake-up, the next poll, or the next message this
// instance put back to come due, whichever is first.
func (q *Queue) idle(ctx context.Context) {
	t := time.NewTimer(q.nextWait())
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-q.wake:
	case <-t.C:
	}
}

// dueAgain notes that a message this instance retried or postponed is due
// at at. One due later than a poll from now is left to the poll, so the
// list holds at most a poll's worth of retries.
func (q *Queue) dueAgain(at time.Time) {
	if time.Until(at) >= q.opts.Poll {
		return
	}
	q.dueMu.Lock()
	q.due = append(q.due, at)
	q.dueMu.Unlock()
	q.Wake() // an idle claimer sets its timer again
}

// nextWait is how long the idle claimer may wait: until the next poll or
// the soonest due retry, dropping the retries whose time has come (the
// claim that follows takes them).
func (q *Queue) nextWait() time.Duration {
	wait := q.opts.Poll
	now := time.Now()
	q.dueMu.Lock()
	defer q.dueMu.Unlock()
	later := q.due[:0]
	for _, at := range q.due {
		if !at.After(now) {
			wait = 0
			continue
		}
		later = append(later, at)
		wait = min(wait, at.Sub(now))
	}
	q.due = later
	return wait
}

// release gives back claimed messages that were not attempted.
func (q *Queue) release(hs []*held) {
	if len(hs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, h := range hs {
		if err := q.store.ReleaseMail(ctx, h.m.ID, q.opts.Name); err != nil {
			slog.Error("mail queue: release", "message", h.m.ID, "err", err)
		}
		q.leases.done(h)
	}
}

// backoff is RetryBase·2^(attempt-1), capped at RetryMax, with ±20%
// jitter so that a crowd of failures does not retry in step.
func (q *Queue) backoff(attempt int) time.Duration {
	d := q.opts.RetryBase
	for i := 1; i < attempt && d < q.opts.RetryMax; i++ {
		d *= 2
	}
	d = min(d, q.opts.RetryMax)
	jitter := 0.8 + 0.4*rand.Float64() //nolint:gosec // jitter needs spread, not secrecy
	return time.Duration(float64(d) * jitter)
}

// retryMail puts a message back for another attempt at at.
func (q *Queue) retryMail(ctx context.Context, id string, at time.Time, reason string) error {
	err := q.store.RetryMail(ctx, id, q.opts.Name, at, reason)
	q.dueAgain(at)
	return err
}

// postponeMail puts a message back for at without charging an attempt.
func (q *Queue) postponeMail(ctx context.Context, id string, at time.Time, reason string) error {
	err := q.store.PostponeMail(ctx, id, q.opts.Name, at, reason)
	q.dueAgain(at)
	return err
}
