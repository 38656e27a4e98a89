package mailqueue

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/store"
)

// outgoing is a claimed message ready to send.
type outgoing struct {
	h   *held
	msg mailers.Message
}

// prepare completes and renders a claimed message. A message that cannot
// be prepared has its outcome recorded, and prepare returns nil.
func (q *Queue) prepare(h *held) *outgoing {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m := &h.m
	if m.Recipient == nil || m.Params == nil {
		q.record(m, q.store.FailMail(ctx, m.ID, q.opts.Name, "no recipient or content"))
		q.leases.done(h)
		return nil
	}
	params := []byte(*m.Params)
	if q.opts.Render != nil {
		email, ok, err := q.opts.Render(ctx, m.Kind, m.Language, params)
		switch {
		case ok && errors.Is(err, store.ErrNotFound):
			failed.WithLabelValues(m.Kind).Inc()
			q.record(m, q.store.FailMail(ctx, m.ID, q.opts.Name, "render: "+err.Error()))
			q.leases.done(h)
			return nil
		case ok && err != nil:
			retried.WithLabelValues(m.Kind).Inc()
			q.record(m, q.retryMail(ctx, m.ID, time.Now().Add(q.backoff(m.Attempts)), "render: "+err.Error()))
			q.leases.done(h)
			return nil
		case ok:
			return &outgoing{h: h, msg: mailers.Message{MessageID: m.MessageID, Kind: m.Kind, To: *m.Recipient, Email: email}}
		}
	}
	if q.opts.Expand != nil {
		expanded, err := q.opts.Expand(ctx, m.Kind, m.Language, params)
		if errors.Is(err, store.ErrNotFound) {
			failed.WithLabelValues(m.Kind).Inc()
			q.record(m, q.store.FailMail(ctx, m.ID, q.opts.Name, "expand: "+err.Error()))
			q.leases.done(h)
			return nil
		} else if err != nil {
			retried.WithLabelValues(m.Kind).Inc()
			q.record(m, q.retryMail(ctx, m.ID, time.Now().Add(q.backoff(m.Attempts)), "expand: "+err.Error()))
			q.leases.done(h)
			return nil
		}
		params = expanded
	}
	email, err := q.catalog.Render(m.Kind, m.Language, params)
	if err != nil {
		failed.WithLabelValues(m.Kind).Inc()
		q.record(m, q.store.FailMail(ctx, m.ID, q.opts.Name, "render: "+err.Error()))
		q.leases.done(h)
		return nil
	}
	return &outgoing{h: h, msg: mailers.Message{MessageID: m.MessageID, Kind: m.Kind, To: *m.Recipient, Email: email}}
}

// send sends a prepared message and records the outcome (a send through
// the batched marks, anything else at once). It does not heed the queue's
// context: a message in hand is finished even during shutdown.
func (q *Queue) send(o *outgoing) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	h, m := o.h, &o.h.m
	if !q.leases.holds(h) {
		// The heartbeats did not get through (or found it taken over): send
		// only if the lease is still this instance's, renewed.
		ok, err := q.leases.confirm(ctx, h)
		if err != nil {
			slog.Error("mail queue: check lease", "message", m.ID, "err", err)
			q.release([]*held{h})
			return
		}
		if !ok {
			slog.Warn("mail queue: lease lost before sending; left to its new holder", "message", m.ID)
			q.leases.done(h)
			return
		}
	}
	start := time.Now()
	err := q.transport.Send(ctx, &o.msg)
	sendSeconds.WithLabelValues(m.Kind).Observe(time.Since(start).Seconds())
	if err == nil {
		sent.WithLabelValues(m.Kind).Inc()
		q.outage.Store(0)
		q.marks.add(h) // from here on, the marks own h
		return
	}
	q.failed(ctx, m, err)
	q.leases.done(h)
}

// failed records a failed send as its diagnosis says.
func (q *Queue) failed(ctx context.Context, m *store.MailMessage, err error) {
	kind, reason := mailers.Diagnose(err)
	switch {
	case kind == mailers.FailUnavailable:
		// Not the message's fault: no attempt charged, and every worker
		// waits a little longer each time before trying the server again.
		n := q.outage.Add(1)
		d := min(q.pauseBase()<<min(n-1, 10), min(time.Minute, q.opts.RetryMax))
		q.pause(d)
		slog.Warn("mail queue: SMTP server unavailable; waiting", "for", d.String(), "reason", reason)
		q.record(m, q.postponeMail(ctx, m.ID, time.Now().Add(d), reason))
	case kind == mailers.FailBounced:
		failed.WithLabelValues(m.Kind).Inc()
		slog.Warn("mail bounced", "kind", m.Kind, "message", m.ID, "reason", reason)
		q.record(m, q.store.BounceMail(ctx, m.ID, q.opts.Name, reason))
	case kind == mailers.FailRejected:
		failed.WithLabelValues(m.Kind).Inc()
		slog.Warn("mail failed permanently", "kind", m.Kind, "message", m.ID, "reason", reason)
		q.record(m, q.store.FailMail(ctx, m.ID, q.opts.Name, reason))
	case m.Attempts >= q.opts.MaxAttempts:
		failed.WithLabelValues(m.Kind).Inc()
		slog.Warn("mail failed after every attempt", "kind", m.Kind, "message", m.ID, "attempts", m.Attempts, "reason", reason)
		q.record(m, q.store.FailMail(ctx, m.ID, q.opts.Name, "gave up after "+itoa(m.Attempts)+" attempts: "+reason))
	default:
		retried.WithLabelValues(m.Kind).Inc()
		attempt := m.Attempts
		if kind == mailers.FailRateLimited {
			// The server asks us to slow down: back off from the start, and
			// hold every worker back a moment.
			attempt += 2
			q.pause(q.pauseBase() * 5)
		}
		at := time.Now().Add(q.backoff(attempt))
		slog.Info("mail will be retried", "kind", m.Kind, "message", m.ID, "attempt", m.Attempts, "at", at.UTC().Format(time.RFC3339), "reason", reason)
		q.record(m, q.retryMail(ctx, m.ID, at, reason))
	}
}

// pauseBase is the first pause after the server could not be reached.
func (q *Queue) pauseBase() time.Duration { return min(time.Second, q.opts.RetryBase) }

func (q *Queue) record(m *store.MailMessage, err error) {
	switch {
	case errors.Is(err, store.ErrLeaseLost):
		// Another instance finished the message, or took it over because
		// this one's renewals did not reach the store for a whole lease: the
		// other's outcome stands.
		slog.Warn("mail queue: outcome not recorded, another instance holds the message", "message", m.ID)
	case err != nil && !errors.Is(err, context.Canceled):
		// The lease will run out and the message be tried again: at worst a
		// duplicate, never a loss.
		slog.Error("mail queue: record outcome", "message", m.ID, "err", err)
	}
}
