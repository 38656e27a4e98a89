package ratelimit_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/ratelimit"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// counters returns every Counter implementation this run can reach: the
// database ones always, Redis when TEST_REDIS_URL is set (and, in CI, it
// must be).
func counters(t *testing.T) map[string]interface {
	ratelimit.Counter
	SpendOnce(ctx context.Context, key string, ttl time.Duration) (bool, error)
} {
	out := map[string]interface {
		ratelimit.Counter
		SpendOnce(ctx context.Context, key string, ttl time.Duration) (bool, error)
	}{}
	for _, kind := range storetest.Kinds(t) {
		out[string(kind)] = storetest.New(t, kind)
	}
	url := os.Getenv("TEST_REDIS_URL")
	if url == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but TEST_REDIS_URL is not: the Redis tests must run in CI")
		}
		return out
	}
	r, err := ratelimit.NewRedis(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	out["redis"] = r
	return out
}

func unique() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func TestLimiterAllowsUpToTheRuleThenRefuses(t *testing.T) {
	t.Parallel()
	for name, c := range counters(t) {
		t.Run(name, func(t *testing.T) {
			l := ratelimit.New(c, true)
			rule := ratelimit.Rule{Name: "test-" + unique(), Max: 3, Window: time.Hour}
			for i := 1; i <= 3; i++ {
				if ok, _, err := l.Allow(context.Background(), rule, "k"); !ok || err != nil {
					t.Fatalf("hit %d refused (%v)", i, err)
				}
			}
			ok, wait, err := l.Allow(context.Background(), rule, "k")
			if ok || err != nil || wait <= 0 || wait > time.Hour {
				t.Fatalf("4th hit: ok=%v wait=%v err=%v; want refused with a wait within the hour", ok, wait, err)
			}
			if ok, _, _ := l.Allow(context.Background(), rule, "other"); !ok {
				t.Fatal("another key was refused")
			}
			if ok, _, _ := ratelimit.New(c, false).Allow(context.Background(), rule, "k"); !ok {
				t.Fatal("a disabled limiter refused")
			}
		})
	}
}

func TestSpendOnce(t *testing.T) {
	t.Parallel()
	for name, c := range counters(t) {
		t.Run(name, func(t *testing.T) {
			key := unique()
			first, err := c.SpendOnce(context.Background(), key, time.Minute)
			if err != nil || !first {
				t.Fatalf("first spend = %v, %v", first, err)
			}
			again, err := c.SpendOnce(context.Background(), key, time.Minute)
			if err != nil || again {
				t.Fatalf("second spend = %v, %v; want refused", again, err)
			}
		})
	}
}

// pow.Verify spends a solution for the time its challenge has left, which
// shrinks between calls: a replay must be refused whatever ttl it comes
// with (issue 11, hole 1).
func TestSpendOnceWithShrinkingTTL(t *testing.T) {
	for name, c := range counters(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			key := unique()
			expires := time.Now().Add(20 * time.Minute)
			ttl := func() time.Duration { return time.Until(expires) + time.Minute }
			first, err := c.SpendOnce(context.Background(), key, ttl())
			if err != nil || !first {
				t.Fatalf("first spend = %v, %v", first, err)
			}
			for i, d := range []time.Duration{ttl(), ttl() - 7*time.Millisecond, ttl() - 3*time.Second, 10 * time.Minute, 37 * time.Second} {
				again, err := c.SpendOnce(context.Background(), key, d)
				if err != nil || again {
					t.Fatalf("replay %d with ttl %v = %v, %v; want refused", i, d, again, err)
				}
			}
		})
	}
}

// A refunded hit gives its place back, on every counter (issue 11, hole 5:
// logins count failures only).
func TestRefundGivesAHitBack(t *testing.T) {
	for name, c := range counters(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			l := ratelimit.New(c, true)
			rule := ratelimit.Rule{Name: "test-" + unique(), Max: 2, Window: time.Hour}
			ctx := context.Background()
			for i := 0; i < 5; i++ {
				if ok, _, err := l.Allow(ctx, rule, "k"); !ok || err != nil {
					t.Fatalf("attempt %d refused (%v) though each was refunded", i, err)
				}
				if err := l.Refund(ctx, rule, "k"); err != nil {
					t.Fatal(err)
				}
			}
			// A refund of an untouched key does not bank a credit.
			if err := l.Refund(ctx, rule, "fresh"); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 2; i++ {
				if ok, _, _ := l.Allow(ctx, rule, "fresh"); !ok {
					t.Fatalf("hit %d refused", i)
				}
			}
			if ok, _, _ := l.Allow(ctx, rule, "fresh"); ok {
				t.Fatal("3rd hit allowed: a refund before any hit banked a credit")
			}
		})
	}
}

// A window begins with a key's first hit, not at a time aligned to the
// clock (where every client's count would start over at once, and a count
// could be cut short at any moment): hits within it add up, the window's
// end is a window after the first hit, and the first hit after it begins
// the next.
func TestWindowBeginsWithTheFirstHit(t *testing.T) {
	t.Parallel()
	for name, c := range counters(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			const window = 1500 * time.Millisecond
			key := "window-" + unique()
			before := time.Now()
			n, end, err := c.Hit(context.Background(), key, window)
			if err != nil || n != 1 {
				t.Fatalf("first hit: %d (%v)", n, err)
			}
			if end.Before(before.Add(window-50*time.Millisecond)) || end.After(time.Now().Add(window+50*time.Millisecond)) {
				t.Fatalf("the window ends at %v, want a window after the first hit (%v)", end, before.Add(window))
			}
			n, end2, err := c.Hit(context.Background(), key, window)
			if err != nil || n != 2 || end2.Sub(end).Abs() > 50*time.Millisecond {
				t.Fatalf("second hit: %d ending %v (%v), want 2 in the same window ending %v", n, end2, err, end)
			}
			for time.Now().Before(end.Add(50 * time.Millisecond)) {
				time.Sleep(10 * time.Millisecond) // the window's end is the event under test
			}
			n, end3, err := c.Hit(context.Background(), key, window)
			if err != nil || n != 1 || !end3.After(end) {
				t.Fatalf("first hit after the window: %d ending %v (%v), want 1 in a new window", n, end3, err)
			}
		})
	}
}
