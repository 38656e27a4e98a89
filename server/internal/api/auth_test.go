package api_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/bnp/undersigned/server/internal/store"
)

func TestLoginAnswersWithTokenUserAndRefreshCookie(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		// The address is matched whatever its case and surrounding spaces.
		r := e.send("POST", "/api/v1/auth/login", "", map[string]string{"email": "  Editor@Example.ORG ", "password": testPassword}).wantStatus(t, 200)
		body := r.JSON(t)
		if tok, _ := body["access_token"].(string); len(tok) < 20 {
			t.Fatalf("access_token = %v", body["access_token"])
		}
		if body["token_type"] != "Bearer" {
			t.Errorf("token_type = %v, want Bearer", body["token_type"])
		}
		if exp, _ := body["expires_in"].(float64); exp < 890 || exp > 900 {
			t.Errorf("expires_in = %v, want about 900", body["expires_in"])
		}
		user, _ := body["user"].(map[string]any)
		if user["id"] != e.users[store.RoleEditor].ID || user["email"] != "editor@example.org" || user["role"] != "editor" || user["disabled"] != false {
			t.Errorf("user = %v", user)
		}
		if bytes.Contains(r.Body, []byte("argon2")) || bytes.Contains(r.Body, []byte("password")) {
			t.Errorf("the answer carries the password hash: %s", r.Body)
		}

		c := refreshCookieOf(t, r)
		if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/api/v1/auth" {
			t.Errorf("refresh cookie: HttpOnly %v, SameSite %v, Path %q; raw %v", c.HttpOnly, c.SameSite, c.Path, r.Header["Set-Cookie"])
		}
		if c.Secure {
			t.Errorf("refresh cookie is Secure over plain http: the browser would never send it back")
		}
		if left := time.Until(c.Expires); left < 6*24*time.Hour || left > 8*24*time.Hour {
			t.Errorf("refresh cookie expires in %v, want about 7 days", left)
		}

		me := e.get("/api/v1/auth/me", body["access_token"].(string)).wantStatus(t, 200).JSON(t)
		if me["email"] != "editor@example.org" || me["role"] != "editor" || me["id"] != user["id"] {
			t.Errorf("/auth/me = %v", me)
		}
	})
}

func TestLoginRefusalsLookAlike(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		admin := e.token(store.RoleAdmin)
		viewer := e.token(store.RoleViewer)
		e.send("PATCH", "/api/v1/admin/users/"+e.users[store.RoleViewer].ID, admin, map[string]any{"disabled": true}).wantStatus(t, 200)
		sessions := e.count("sessions")

		attempts := map[string]map[string]string{
			"wrong password": {"email": "moderator@example.org", "password": "wrong horse battery staple"},
			"unknown email":  {"email": "nobody@example.org", "password": testPassword},
			"disabled user":  {"email": "viewer@example.org", "password": testPassword},
		}
		var first []byte
		for name, body := range attempts {
			r := e.send("POST", "/api/v1/auth/login", "", body)
			r.wantReason(t, 401, "unauthorized", "wrong_credentials")
			if len(refreshCookies(r)) > 0 {
				t.Errorf("%s: a refresh cookie was set: %v", name, r.Header["Set-Cookie"])
			}
			if first == nil {
				first = r.Body
			} else if !bytes.Equal(first, r.Body) {
				t.Errorf("%s answers %s, unlike %s", name, r.Body, first)
			}
		}
		if n := e.count("sessions"); n != sessions {
			t.Errorf("refused logins created %d sessions", n-sessions)
		}
		// Disabling the account also ended the session it had.
		e.get("/api/v1/auth/me", viewer).wantError(t, 401, "unauthorized")
	})
}

func TestLoginValidation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		body  string
		field string
	}{
		{"empty object", `{}`, "email"},
		{"no password", `{"email":"admin@example.org"}`, "password"},
		{"empty password", `{"email":"admin@example.org","password":""}`, "password"},
		{"not an address", `{"email":"admin","password":"x"}`, "email"},
		{"email of the wrong type", `{"email":5,"password":"x"}`, "email"},
		{"unknown field", `{"email":"admin@example.org","password":"x","remember":true}`, "remember"},
	}
	each(t, func(t *testing.T, e *env) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := e.do(req{method: "POST", path: "/api/v1/auth/login", raw: tc.body, contentType: "application/json"})
				fields := r.wantError(t, 422, "validation_failed")
				if fields[tc.field] == nil {
					t.Errorf("fields = %v, want %q named", fields, tc.field)
				}
			})
		}
		if n := e.count("sessions"); n != 0 {
			t.Errorf("%d sessions after refused logins", n)
		}
	})
}

// TestAccessTokenChecks crafts tokens by hand: every one that is not exactly
// what the server issues must be refused.
func TestAccessTokenChecks(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		issued := e.token(store.RoleAdmin)
		var issuedClaims jwt.MapClaims
		if _, _, err := jwt.NewParser().ParseUnverified(issued, &issuedClaims); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		base := func() jwt.MapClaims {
			return jwt.MapClaims{
				"iss": e.cfg.PublicURL.String(), "aud": []string{"undersigned-staff"},
				"sub": issuedClaims["sub"], "sid": issuedClaims["sid"], "role": "admin",
				"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
			}
		}
		sign := func(method jwt.SigningMethod, key any, change func(jwt.MapClaims)) string {
			c := base()
			if change != nil {
				change(c)
			}
			s, err := jwt.NewWithClaims(method, c).SignedString(key)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		secret := e.cfg.JWTSecret
		hs := jwt.SigningMethodHS256

		// The control: crafted like the server's own, it is accepted, so the
		// refusals below are for the one thing each case changes.
		e.get("/api/v1/auth/me", sign(hs, secret, nil)).wantStatus(t, 200)

		cases := map[string]string{
			"expired": sign(hs, secret, func(c jwt.MapClaims) {
				c["iat"], c["exp"] = now.Add(-20*time.Minute).Unix(), now.Add(-5*time.Minute).Unix()
			}),
			"signed with another key":  sign(hs, []byte("another key, another key, another key!!"), nil),
			"alg none":                 sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, nil),
			"HS512 with the right key": sign(jwt.SigningMethodHS512, secret, nil),
			"wrong audience":           sign(hs, secret, func(c jwt.MapClaims) { c["aud"] = []string{"undersigned-public"} }),
			"no audience":              sign(hs, secret, func(c jwt.MapClaims) { delete(c, "aud") }),
			"wrong issuer":             sign(hs, secret, func(c jwt.MapClaims) { c["iss"] = "https://elsewhere.example" }),
			"no exp":                   sign(hs, secret, func(c jwt.MapClaims) { delete(c, "exp") }),
			"issued in the future":     sign(hs, secret, func(c jwt.MapClaims) { c["iat"] = now.Add(time.Hour).Unix() }),
			"another user's subject":   sign(hs, secret, func(c jwt.MapClaims) { c["sub"] = e.users[store.RoleViewer].ID }),
			"unknown session":          sign(hs, secret, func(c jwt.MapClaims) { c["sid"] = "no-such-session" }),
			"no session":               sign(hs, secret, func(c jwt.MapClaims) { delete(c, "sid") }),
			"not a JWT":                "not-a-token",
		}
		for name, token := range cases {
			t.Run(name, func(t *testing.T) {
				e.get("/api/v1/auth/me", token).wantError(t, 401, "unauthorized")
			})
		}
		for name, header := range map[string]string{"no header": "", "empty bearer": "Bearer ", "basic scheme": "Basic " + issued} {
			t.Run(name, func(t *testing.T) {
				getWithHeader(t, e, "/api/v1/auth/me", "Authorization", header).wantError(t, 401, "unauthorized")
			})
		}
	})
}

func TestRefreshRotatesAndReuseRevokes(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		access1, cookie1 := e.login(store.RoleEditor)

		r := e.do(req{method: "POST", path: "/api/v1/auth/refresh", cookies: []*http.Cookie{cookie1}}).wantStatus(t, 200)
		access2, _ := r.JSON(t)["access_token"].(string)
		cookie2 := refreshCookieOf(t, r)
		if cookie2.Value == cookie1.Value {
			t.Fatal("refresh did not rotate the refresh cookie")
		}
		if !cookie2.HttpOnly || cookie2.SameSite != http.SameSiteStrictMode || cookie2.Path != "/api/v1/auth" {
			t.Errorf("rotated cookie lost its attributes: %v", r.Header["Set-Cookie"])
		}
		if me := e.get("/api/v1/auth/me", access2).wantStatus(t, 200).JSON(t); me["email"] != "editor@example.org" {
			t.Errorf("/auth/me with the new token = %v", me)
		}

		// The old cookie again, past the grace of a racing tab
		// (TestRefreshRaceGetsTheSameToken): someone replays a stolen token.
		// The whole session ends, for the thief and for the holder of the
		// new cookie.
		ageSpentRefreshTokens(t, e)
		r = e.do(req{method: "POST", path: "/api/v1/auth/refresh", cookies: []*http.Cookie{cookie1}})
		r.wantError(t, 401, "unauthorized")
		if !clearsRefreshCookie(r) {
			t.Errorf("the refused refresh does not clear the cookie: %v", r.Header["Set-Cookie"])
		}
		e.do(req{method: "POST", path: "/api/v1/auth/refresh", cookies: []*http.Cookie{cookie2}}).wantError(t, 401, "unauthorized")
		e.get("/api/v1/auth/me", access2).wantError(t, 401, "unauthorized")
		e.get("/api/v1/auth/me", access1).wantError(t, 401, "unauthorized")

		// Other accounts' sessions are untouched.
		other := e.token(store.RoleModerator)
		e.get("/api/v1/auth/me", other).wantStatus(t, 200)
	})
}

// ageSpentRefreshTokens moves every spent refresh token's rotation a
// minute back, past the grace for racing refreshes.
func ageSpentRefreshTokens(t *testing.T, e *env) {
	t.Helper()
	if err := e.db.Exec(t.Context(), "UPDATE refresh_tokens SET used_at = ? WHERE used_at IS NOT NULL", time.Now().UTC().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
}

func TestRefreshWithoutAValidCookie(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		e.do(req{method: "POST", path: "/api/v1/auth/refresh"}).wantError(t, 401, "unauthorized")
		junk := &http.Cookie{Name: "undersigned_refresh", Value: "made-up-token"}
		e.do(req{method: "POST", path: "/api/v1/auth/refresh", cookies: []*http.Cookie{junk}}).wantError(t, 401, "unauthorized")
	})
}

func TestLogoutEndsTheSession(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		access, cookie := e.login(store.RoleAdmin)
		otherAccess, otherCookie := e.login(store.RoleAdmin)

		r := e.do(req{method: "POST", path: "/api/v1/auth/logout", cookies: []*http.Cookie{cookie}}).wantStatus(t, 204)
		if !clearsRefreshCookie(r) {
			t.Errorf("logout does not clear the cookie: %v", r.Header["Set-Cookie"])
		}
		e.do(req{method: "POST", path: "/api/v1/auth/refresh", cookies: []*http.Cookie{cookie}}).wantError(t, 401, "unauthorized")
		// The access token is still within its 15 minutes, but the staff
		// check reads the session: it has ended.
		e.get("/api/v1/auth/me", access).wantError(t, 401, "unauthorized")
		e.get("/api/v1/admin/users", access).wantError(t, 401, "unauthorized")

		// The same user's other session (another browser) goes on.
		e.get("/api/v1/auth/me", otherAccess).wantStatus(t, 200)
		e.do(req{method: "POST", path: "/api/v1/auth/refresh", cookies: []*http.Cookie{otherCookie}}).wantStatus(t, 200)

		// Logging out without a session still succeeds.
		e.do(req{method: "POST", path: "/api/v1/auth/logout"}).wantStatus(t, 204)
	})
}

func TestLoginRateLimitPerAccount(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		// The window begins with the account's first failure, so the 11
		// attempts share one whenever they run.
		email := e.users[store.RoleModerator].Email
		var last response
		for i := range 11 {
			last = e.send("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": "not the password at all"})
			if i < 10 && last.Status != 401 {
				t.Fatalf("attempt %d: status %d, want 401", i+1, last.Status)
			}
		}
		last.wantError(t, 429, "rate_limited")
		if ra := last.Header.Get("Retry-After"); ra == "" || ra == "0" || len(ra) > 3 {
			t.Errorf("Retry-After = %q, want whole seconds within 15 minutes", ra)
		}
		// Even the right password waits now, from this client: the limit
		// is what stops guessing (TestLoginLimitsCannotLockTheOwnerOut:
		// from elsewhere the owner still gets in).
		e.send("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": testPassword}).wantError(t, 429, "rate_limited")
		// Another account is not affected.
		e.login(store.RoleAdmin)
	})
}

// getWithHeader sends a GET with one header set as given (none when empty).
func getWithHeader(t *testing.T, e *env, path, name, value string) response {
	t.Helper()
	hr := httptest.NewRequest("GET", path, nil)
	if value != "" {
		hr.Header.Set(name, value)
	}
	res, err := e.app.Test(hr, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// refreshCookies lists the refresh cookies an answer sets (cleared ones too).
func refreshCookies(r response) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "undersigned_refresh" {
			out = append(out, c)
		}
	}
	return out
}

// clearsRefreshCookie reports whether the answer tells the browser to drop
// the refresh cookie.
func clearsRefreshCookie(r response) bool {
	for _, c := range refreshCookies(r) {
		if c.Value == "" && c.Path == "/api/v1/auth" && (c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(time.Now()))) {
			return true
		}
	}
	return false
}

func TestLoginRateLimitPerClient(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		// One machine trying many accounts: each account is tried once, and
		// the 31st attempt in a window (from its first attempt) is refused
		// whatever the account.
		for i := range 31 {
			st := e.send("POST", "/api/v1/auth/login", "", map[string]string{"email": fmt.Sprintf("guess%d@example.org", i), "password": "a guessed password"}).Status
			if want := map[bool]int{true: 401, false: 429}[i < 30]; st != want {
				t.Fatalf("attempt %d from one client: status %d, want %d", i+1, st, want)
			}
		}
	})
}
