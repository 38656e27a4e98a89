package api_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// loginFrom tries a password on an account from a client address (behind
// the trusted proxy at 0.0.0.0) and returns the status.
func (e *env) loginFrom(client, email, password string) int {
	e.t.Helper()
	return e.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": email, "password": password},
		headers: map[string]string{"X-Forwarded-For": client}}).Status
}

// Whoever knows a staff address cannot lock its owner out (issue 11, hole
// 5): successes do not count, failures count per account and client, and
// the per-account ceiling slows an attack from many machines without
// refusing the owner's first try.
func TestLoginLimitsCannotLockTheOwnerOut(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		t.Parallel()
		e := newEnv(t, db, func(c *config.Config) { c.TrustedProxies = []string{"0.0.0.0"} })
		admin := e.users[store.RoleAdmin].Email
		// The owner signing in again and again is never refused.
		for i := range 15 {
			if st := e.loginFrom("198.51.100.1", admin, testPassword); st != 200 {
				t.Fatalf("login %d of the owner: status %d, want 200: successes were counted", i+1, st)
			}
		}
		// An attacker guessing from one machine is stopped after 10...
		for i := range 10 {
			if st := e.loginFrom("203.0.113.66", admin, "a guessed password"); st != 401 {
				t.Fatalf("guess %d: status %d, want 401", i+1, st)
			}
		}
		if st := e.loginFrom("203.0.113.66", admin, testPassword); st != 429 {
			t.Fatalf("11th attempt from the guessing machine: status %d, want 429", st)
		}
		// ...while the owner, elsewhere, still gets in.
		if st := e.loginFrom("198.51.100.1", admin, testPassword); st != 200 {
			t.Fatalf("the owner after the guesses: status %d, want 200", st)
		}
		// An attack from many machines passes the per-account ceiling...
		var wg sync.WaitGroup
		for i := range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e.loginFrom(fmt.Sprintf("192.0.2.%d", i), admin, "a guessed password")
			}()
		}
		wg.Wait()
		// ...and is slowed to one attempt a minute per machine (the minute
		// begins with the machine's first attempt)...
		first := e.loginFrom("192.0.2.200", admin, "a guessed password")
		second := e.loginFrom("192.0.2.200", admin, "a guessed password")
		if first != 401 || second != 429 {
			t.Fatalf("two guesses from a new machine within a minute: %d then %d, want 401 then 429", first, second)
		}
		// ...while the owner still gets in at the first try.
		if st := e.loginFrom("198.51.100.1", admin, testPassword); st != 200 {
			t.Fatalf("the owner under a distributed attack: status %d, want 200", st)
		}
	})
}
