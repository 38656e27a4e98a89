package store

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrSchemaBehind is returned by Ready when migrations are pending.
var ErrSchemaBehind = errors.New("store: the database schema is behind this version")

// Readiness checks are spaced and remembered, so that a load balancer's
// probes cost the database at most one ping every readyFresh, and a busy
// moment (a full pool, a starved CPU) does not mark a healthy instance down:
// only readyGrace without one successful check does.
const (
	readyFresh = 2 * time.Second
	readyGrace = 10 * time.Second
)

type readiness struct {
	mu       sync.Mutex
	lastOK   time.Time
	lastErr  error
	schemaOK bool // once current, the schema stays so for this binary
	checking bool
}

// Ready reports whether the database answers and its schema is current,
// cheaply enough for any number of probes: it answers from the last check
// while that is under readyFresh old, lets one caller check again
// meanwhile, and reports a failure only when no check has succeeded for
// readyGrace.
func (s *Store) Ready(ctx context.Context) error {
	r := &s.ready
	r.mu.Lock()
	since := time.Since(r.lastOK)
	if (!r.lastOK.IsZero() && since < readyFresh) || r.checking {
		ok := !r.lastOK.IsZero() && since < readyGrace
		err := r.lastErr
		r.mu.Unlock()
		if ok {
			return nil
		}
		if err == nil {
			err = errors.New("store: readiness check under way")
		}
		return err
	}
	r.checking = true
	schemaOK := r.schemaOK
	r.mu.Unlock()

	err := s.Ping(ctx)
	if err == nil && !schemaOK {
		current, serr := s.SchemaCurrent(ctx)
		switch {
		case serr != nil:
			err = serr
		case !current:
			err = ErrSchemaBehind
		default:
			schemaOK = true
		}
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	r.checking = false
	r.schemaOK = r.schemaOK || schemaOK
	if err == nil {
		r.lastOK, r.lastErr = time.Now(), nil
		return nil
	}
	r.lastErr = err
	if errors.Is(err, ErrSchemaBehind) || r.lastOK.IsZero() || time.Since(r.lastOK) >= readyGrace {
		return err
	}
	return nil // a blip within the grace period
}
