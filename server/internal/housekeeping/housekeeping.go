// Package housekeeping runs the jobs that keep the privacy rules of
// docs/privacy.md over time: hashes and personal data deleted when their
// time is up, and the bookkeeping of sessions, counters and digests
// cleaned. Every job is idempotent, so several instances may run them.
package housekeeping

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bnp/undersigned/server/internal/store"
)

// Interval is how often Start runs the jobs.
const Interval = 5 * time.Minute

// hashLifetime is how long an IP hash is kept (docs/privacy.md, rule 2).
const hashLifetime = 48 * time.Hour

// job is one task: it returns how many rows it changed.
type job struct {
	name string
	run  func(ctx context.Context, st *store.Store, now time.Time) (int64, error)
}

// jobs are every task, in the order they run.
var jobs = []job{
	{"close campaigns past their closing time", func(ctx context.Context, st *store.Store, _ time.Time) (int64, error) { return st.CloseDue(ctx) }},
	// Closing destroys the campaign's dedup key and hashes (issue 14); a
	// scrub that had to wait for an old transaction is tried again here.
	{"shred closed campaigns' dedup keys", func(ctx context.Context, st *store.Store, _ time.Time) (int64, error) { return st.ShredClosed(ctx) }},
	// An update sent after the close leaves its recipients in the mail
	// tables' old row versions until they are rewritten, once delivered.
	{"scrub updates sent after close", func(ctx context.Context, st *store.Store, _ time.Time) (int64, error) {
		return st.ScrubClosedUpdates(ctx)
	}},
	{"destroy past days' ip salts", func(ctx context.Context, st *store.Store, now time.Time) (int64, error) {
		return st.DeleteStaleIPSalts(ctx, now)
	}},
	{"purge ip hashes", func(ctx context.Context, st *store.Store, now time.Time) (int64, error) {
		return st.PurgeIPHashes(ctx, now.Add(-hashLifetime))
	}},
	{"delete unconfirmed signatures", func(ctx context.Context, st *store.Store, _ time.Time) (int64, error) {
		return st.DeleteUnconfirmed(ctx)
	}},
	{"anonymise signatures past retention", func(ctx context.Context, st *store.Store, _ time.Time) (int64, error) {
		return st.AnonymiseExpired(ctx)
	}},
	{"purge endorsement ip hashes", func(ctx context.Context, st *store.Store, now time.Time) (int64, error) {
		return st.PurgeEndorsementIPHashes(ctx, now.Add(-hashLifetime))
	}},
	{"delete unverified endorsements", func(ctx context.Context, st *store.Store, _ time.Time) (int64, error) {
		return st.DeleteUnverifiedEndorsements(ctx)
	}},
	{"anonymise endorsement contacts past retention", func(ctx context.Context, st *store.Store, _ time.Time) (int64, error) {
		return st.AnonymiseEndorsementContacts(ctx)
	}},
	{"purge rate limits", func(ctx context.Context, st *store.Store, _ time.Time) (int64, error) { return st.PurgeRateLimits(ctx) }},
	{"finish sent digests", func(ctx context.Context, st *store.Store, _ time.Time) (int64, error) { return st.FinishDigests(ctx) }},
	{"purge sessions", func(ctx context.Context, st *store.Store, now time.Time) (int64, error) {
		return st.PurgeSessions(ctx, now.Add(-24*time.Hour))
	}},
	{"purge password resets", func(ctx context.Context, st *store.Store, now time.Time) (int64, error) {
		return st.PurgePasswordResets(ctx, now.Add(-24*time.Hour))
	}},
	{"purge dev outbox", func(ctx context.Context, st *store.Store, now time.Time) (int64, error) {
		return st.PurgeOutbox(ctx, now.Add(-hashLifetime))
	}},
	{"checkpoint the SQLite log", func(ctx context.Context, st *store.Store, _ time.Time) (int64, error) { return 0, st.Checkpoint(ctx) }},
}

// Run runs every job once, as of now, and reports the rows each changed by
// job name. A failing job is logged and does not stop the others; their
// errors are returned together.
func Run(ctx context.Context, st *store.Store, now time.Time) (map[string]int64, error) {
	rows := make(map[string]int64, len(jobs))
	var errs []error
	for _, j := range jobs {
		n, err := j.run(ctx, st, now)
		rows[j.name] = n
		switch {
		case err != nil && errors.Is(err, context.Canceled):
			return rows, err
		case err != nil:
			slog.Error("housekeeping", "job", j.name, "err", err)
			errs = append(errs, fmt.Errorf("housekeeping: %s: %w", j.name, err))
		case n > 0:
			slog.Info("housekeeping", "job", j.name, "rows", n)
		}
	}
	return rows, errors.Join(errs...)
}

// Start runs the jobs now and then every Interval until ctx ends; the
// channel closes when it has stopped.
func Start(ctx context.Context, st *store.Store) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(Interval)
		defer tick.Stop()
		for {
			_, _ = Run(ctx, st, time.Now())
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return done
}
