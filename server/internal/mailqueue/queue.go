// Package mailqueue delivers the durable mail queue: workers claim due
// messages with a lease, render them, send them through a transport and
// record the outcome. A message is marked sent as soon as the server
// accepts it; temporary failures are retried with exponential backoff and
// jitter; permanent ones are recorded with the server's reply. Several
// workers and several instances share one queue: a claimed message is
// leased to one worker, and a dead worker's lease runs out and is taken
// over. A live worker renews its leases while it works through a batch and
// checks its lease just before each send, so that a message goes out twice
// only if its worker dies while sending it (or loses the database for a
// whole lease meanwhile).
package mailqueue

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
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
	// Batch is how many messages a worker claims at a time.
	Batch int
	// Lease is how long a claim lasts before another worker may take over;
	// a live worker renews it every third of a lease.
	Lease time.Duration
	// Poll is how often an idle worker looks for work another instance
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
}

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
		o.Batch = 10
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 12
	}
	set(&o.Lease, 2*time.Minute)
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
}

// New returns a queue that sends through transport.
func New(st *store.Store, catalog *mailers.Catalog, transport mailers.Transport, opts Options) *Queue {
	opts.defaults()
	limiter := rate.NewLimiter(rate.Inf, 1)
	if opts.Rate > 0 {
		limiter = rate.NewLimiter(rate.Limit(opts.Rate), max(1, int(opts.Rate/10)))
	}
	return &Queue{store: st, catalog: catalog, transport: transport, opts: opts, limiter: limiter,
		wake: make(chan struct{}, opts.Workers)}
}

// Wake tells idle workers that mail was just queued. It never blocks.
func (q *Queue) Wake() {
	for i := 0; i < cap(q.wake); i++ {
		select {
		case q.wake <- struct{}{}:
		default:
			return
		}
	}
}

// Run sends until ctx ends. Then each worker finishes the message in hand,
// gives back the others it claimed, and Run returns.
func (q *Queue) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for i := 0; i < q.opts.Workers; i++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			q.work(ctx, q.opts.Name+"/"+itoa(n))
		}(i)
	}
	wg.Wait()
}

func (q *Queue) work(ctx context.Context, worker string) {
	for ctx.Err() == nil {
		claimed, err := q.store.ClaimMail(ctx, worker, q.opts.Batch, q.opts.Lease)
		if err != nil && ctx.Err() == nil {
			slog.Error("mail queue: claim", "worker", worker, "err", err)
		}
		if len(claimed) == 0 {
			q.idle(ctx)
			continue
		}
		q.sendBatch(ctx, worker, claimed)
	}
}

// sendBatch sends claimed messages one by one at the queue's rate while
// holding their leases. When ctx ends it gives back those not attempted.
func (q *Queue) sendBatch(ctx context.Context, worker string, claimed []store.MailMessage) {
	stop := q.holdLeases(worker, claimed)
	defer stop()
	// heldAt is when the lease of the message up next was last confirmed:
	// recording a message as sent confirms the next one's in the same
	// statement. A confirmation younger than a third of a lease leaves at
	// least two thirds of it, so the check before sending need not be
	// made again.
	var heldAt time.Time
	for i := range claimed {
		if err := q.limiter.Wait(ctx); err != nil || ctx.Err() != nil {
			q.release(claimed[i:], worker)
			return
		}
		next := ""
		if i+1 < len(claimed) {
			next = claimed[i+1].ID
		}
		checked := !heldAt.IsZero() && time.Since(heldAt) < q.opts.Lease/3
		heldAt = time.Time{}
		// Taken before the send: the next lease was extended later than this.
		before := time.Now()
		if q.deliver(worker, &claimed[i], checked, next) {
			heldAt = before
		}
	}
}

// holdLeases renews, every third of a lease, worker's leases on a batch
// until stop is called: a batch slowed by the rate limit or a slow server
// stays with its live worker, while a dead worker's leases run out.
func (q *Queue) holdLeases(worker string, claimed []store.MailMessage) (stop func()) {
	ids := make([]string, len(claimed))
	for i := range claimed {
		ids[i] = claimed[i].ID
	}
	// Stopping cancels a renewal in flight, so that a store that hangs does
	// not hold up shutdown.
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(q.opts.Lease / 3)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			renew, cancelRenew := context.WithTimeout(ctx, q.opts.Lease/3)
			_, err := q.store.RenewMailLeases(renew, worker, q.opts.Lease, ids...)
			cancelRenew()
			if err != nil && ctx.Err() == nil {
				slog.Error("mail queue: extend leases", "worker", worker, "err", err)
			}
		}
	}()
	return func() { cancel(); <-stopped }
}

func (q *Queue) idle(ctx context.Context) {
	t := time.NewTimer(q.opts.Poll)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-q.wake:
	case <-t.C:
	}
}

// release gives back claimed messages a stopping worker did not attempt.
func (q *Queue) release(msgs []store.MailMessage, worker string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, m := range msgs {
		if err := q.store.ReleaseMail(ctx, m.ID, worker); err != nil {
			slog.Error("mail queue: release", "message", m.ID, "err", err)
		}
	}
}

// deliver sends one message and records the outcome. It does not heed the
// queue's context: a message in hand is finished even during shutdown.
// Unless checked says its lease was just confirmed, it first makes sure
// the lease is still this worker's. It reports whether recording the
// message as sent confirmed worker's lease on next.
func (q *Queue) deliver(worker string, m *store.MailMessage, checked bool, next string) (nextHeld bool) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if !checked {
		// The limiter may have kept the message waiting: send it only if its
		// lease is still this worker's, renewed for the whole delivery.
		if n, err := q.store.ExtendMailLease(ctx, worker, q.opts.Lease, m.ID); err != nil || n == 0 {
			if err != nil {
				// Not attempted: give it back without spending an attempt.
				slog.Error("mail queue: extend lease", "message", m.ID, "err", err)
				q.release([]store.MailMessage{*m}, worker)
			} else {
				slog.Warn("mail queue: lease lost before sending; left to its new holder", "message", m.ID, "worker", worker)
			}
			return false
		}
	}
	if m.Recipient == nil || m.Params == nil {
		q.record(ctx, m, q.store.FailMail(ctx, m.ID, worker, "no recipient or content"))
		return
	}
	params := []byte(*m.Params)
	if q.opts.Expand != nil {
		expanded, err := q.opts.Expand(ctx, m.Kind, m.Language, params)
		if errors.Is(err, store.ErrNotFound) {
			failed.WithLabelValues(m.Kind).Inc()
			q.record(ctx, m, q.store.FailMail(ctx, m.ID, worker, "expand: "+err.Error()))
			return
		} else if err != nil {
			retried.WithLabelValues(m.Kind).Inc()
			q.record(ctx, m, q.store.RetryMail(ctx, m.ID, worker, time.Now().Add(q.backoff(m.Attempts)), "expand: "+err.Error()))
			return
		}
		params = expanded
	}
	email, err := q.catalog.Render(m.Kind, m.Language, params)
	if err != nil {
		failed.WithLabelValues(m.Kind).Inc()
		q.record(ctx, m, q.store.FailMail(ctx, m.ID, worker, "render: "+err.Error()))
		return
	}
	msg := mailers.Message{MessageID: m.MessageID, Kind: m.Kind, To: *m.Recipient, Email: email}
	start := time.Now()
	err = q.transport.Send(ctx, &msg)
	sendSeconds.WithLabelValues(m.Kind).Observe(time.Since(start).Seconds())
	if err == nil {
		sent.WithLabelValues(m.Kind).Inc()
		// Sent: failing to record it would send it again once the lease ran
		// out, so a passing error (a deadlock victim, a lost connection) is
		// tried again.
		var held bool
		for try := 0; ; try++ {
			held, err = q.store.MarkMailSentAndHold(ctx, m.ID, worker, q.opts.Lease, next)
			if err == nil || errors.Is(err, store.ErrLeaseLost) || try == 4 || ctx.Err() != nil {
				break
			}
			time.Sleep(time.Duration(50<<try) * time.Millisecond)
		}
		q.record(ctx, m, err)
		return held && err == nil
	}
	permanent, reason := mailers.Classify(err)
	switch {
	case permanent:
		failed.WithLabelValues(m.Kind).Inc()
		slog.Warn("mail failed permanently", "kind", m.Kind, "message", m.ID, "reason", reason)
		q.record(ctx, m, q.store.FailMail(ctx, m.ID, worker, reason))
	case m.Attempts >= q.opts.MaxAttempts:
		failed.WithLabelValues(m.Kind).Inc()
		slog.Warn("mail failed after every attempt", "kind", m.Kind, "message", m.ID, "attempts", m.Attempts, "reason", reason)
		q.record(ctx, m, q.store.FailMail(ctx, m.ID, worker, "gave up after "+itoa(m.Attempts)+" attempts: "+reason))
	default:
		retried.WithLabelValues(m.Kind).Inc()
		at := time.Now().Add(q.backoff(m.Attempts))
		slog.Info("mail will be retried", "kind", m.Kind, "message", m.ID, "attempt", m.Attempts, "at", at.UTC().Format(time.RFC3339), "reason", reason)
		q.record(ctx, m, q.store.RetryMail(ctx, m.ID, worker, at, reason))
	}
	return false
}

func (q *Queue) record(_ context.Context, m *store.MailMessage, err error) {
	switch {
	case errors.Is(err, store.ErrLeaseLost):
		// Another worker finished the message, or took it over because this
		// one's renewals did not reach the store for a whole lease: the
		// other worker's outcome stands.
		slog.Warn("mail queue: outcome not recorded, another worker holds the message", "message", m.ID)
	case err != nil && !errors.Is(err, context.Canceled):
		// The lease will run out and the message be tried again: at worst a
		// duplicate, never a loss.
		slog.Error("mail queue: record outcome", "message", m.ID, "err", err)
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
