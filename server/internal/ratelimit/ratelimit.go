// Package ratelimit counts requests in windows that begin with a key's
// first hit, shared by every instance, in the database (or Redis when
// REDIS_URL is set).
package ratelimit

import (
	"context"
	"time"
)

// Counter records one hit on key and returns the hits in the current
// window and when the window ends.
type Counter interface {
	Hit(ctx context.Context, key string, window time.Duration) (int, time.Time, error)
	// Unhit takes back one hit of the current window, if it has any.
	Unhit(ctx context.Context, key string, window time.Duration) error
}

// Rule is a limit: at most Max hits per Window.
type Rule struct {
	Name   string
	Max    int
	Window time.Duration
}

// Limiter applies rules to keys; a disabled Limiter allows everything
// (RATE_LIMITS=off, for benchmarks).
type Limiter struct {
	counter Counter
	enabled bool
	now     func() time.Time
}

// New returns a Limiter over counter.
func New(counter Counter, enabled bool) *Limiter {
	return &Limiter{counter: counter, enabled: enabled, now: time.Now}
}

// Allow counts a hit of key under rule. When the limit is passed it returns
// false and how long until the window ends. key must already be a hash:
// it is stored.
func (l *Limiter) Allow(ctx context.Context, rule Rule, key string) (bool, time.Duration, error) {
	if !l.enabled {
		return true, 0, nil
	}
	hits, reset, err := l.counter.Hit(ctx, rule.Name+":"+key, rule.Window)
	if err != nil {
		return false, 0, err
	}
	if hits > rule.Max {
		wait := reset.Sub(l.now())
		if wait < time.Second {
			wait = time.Second
		}
		return false, wait, nil
	}
	return true, 0, nil
}

// Refund takes back a hit that Allow counted, for a rule that counts only
// failures: every attempt is counted as it starts, so that a burst of
// concurrent attempts cannot all pass before the first failure is
// recorded, and a success gives its hit back.
func (l *Limiter) Refund(ctx context.Context, rule Rule, key string) error {
	if !l.enabled {
		return nil
	}
	return l.counter.Unhit(ctx, rule.Name+":"+key, rule.Window)
}
