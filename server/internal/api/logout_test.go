package api_test

import (
	"net/http"
	"testing"

	"github.com/bnp/undersigned/server/internal/store"
)

// Logout with the bearer token alone (no refresh cookie: another browser
// profile, a script, a cookie already cleared) ends that token's session
// (issue 11, hole 8).
func TestLogoutWithoutTheCookieEndsTheBearerSession(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		t.Parallel()
		access, cookie := e.login(store.RoleEditor)
		otherAccess, _ := e.login(store.RoleEditor)
		e.do(req{method: "POST", path: "/api/v1/auth/logout", token: access}).wantStatus(t, 204)
		e.get("/api/v1/auth/me", access).wantError(t, 401, "unauthorized")
		e.do(req{method: "POST", path: "/api/v1/auth/refresh", cookies: []*http.Cookie{cookie}}).wantError(t, 401, "unauthorized")
		// Only that session: the other one goes on.
		e.get("/api/v1/auth/me", otherAccess).wantStatus(t, 200)
		// A made-up bearer token changes nothing and still gets 204.
		e.do(req{method: "POST", path: "/api/v1/auth/logout", token: "not.a.token"}).wantStatus(t, 204)
		e.get("/api/v1/auth/me", otherAccess).wantStatus(t, 200)
	})
}
