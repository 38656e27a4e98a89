package api_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/bnp/undersigned/server/internal/store"
)

// Two refreshes at once with one cookie (two console tabs, two instances
// behind a load balancer) both succeed with the same new token, and so
// does one a moment later; a reuse after the grace still ends the session
// (issue 11, hole 8).
func TestRefreshRaceGetsTheSameToken(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		t.Parallel()
		_, cookie := e.login(store.RoleEditor)
		refresh := func(c *http.Cookie) response {
			return e.do(req{method: "POST", path: "/api/v1/auth/refresh", cookies: []*http.Cookie{c}})
		}
		answers := make([]response, 3)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() { defer wg.Done(); answers[i] = refresh(cookie) }()
		}
		wg.Wait()
		answers[2] = refresh(cookie) // a third tab, a moment later
		var next *http.Cookie
		for i, r := range answers {
			r.wantStatus(t, 200)
			c := refreshCookieOf(t, r)
			if c.Value == cookie.Value {
				t.Fatalf("refresh %d did not rotate the cookie", i)
			}
			if next != nil && c.Value != next.Value {
				t.Fatalf("refresh %d got another new token: the tabs would end each other's session", i)
			}
			next = c
			access, _ := r.JSON(t)["access_token"].(string)
			e.get("/api/v1/auth/me", access).wantStatus(t, 200)
		}
		// The new token rotates on as usual...
		newer := refreshCookieOf(t, refresh(next).wantStatus(t, 200))
		// ...and the first cookie, past the grace, is a stolen token's replay.
		ageSpentRefreshTokens(t, e)
		refresh(cookie).wantError(t, 401, "unauthorized")
		refresh(newer).wantError(t, 401, "unauthorized")
	})
}
