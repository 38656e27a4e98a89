package api_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bnp/undersigned/server/internal/api"
	"github.com/bnp/undersigned/server/internal/auth"
	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// newBareEnv serves the API on db as it is: no migration, no accounts, no
// seed. For what the server does when its database is not ready.
func newBareEnv(t *testing.T, db storetest.DB, adjust func(*config.Config)) *env {
	t.Helper()
	cfg := testConfig(t, adjust)
	tokens := auth.NewTokens(cfg.JWTSecret, cfg.PublicURL.String())
	e := &env{t: t, db: db, cfg: cfg, tokens: tokens, users: map[store.Role]store.User{}}
	e.serve(testDeps(t, cfg, db, tokens))
	return e
}

func TestRequestBodyErrors(t *testing.T) {
	t.Parallel()
	login := `{"email":"admin@example.org","password":"x"}`
	pad := func(n int) string {
		// A JSON object of exactly n bytes.
		return `{"email":"` + strings.Repeat("a", n-len(`{"email":"","password":"x"}`)) + `","password":"x"}`
	}
	cases := []struct {
		name, path, body, contentType string
		status                        int
		code                          string
	}{
		{"malformed JSON", "/api/v1/auth/login", `{"email": "admin@example.org",`, "application/json", 400, "bad_request"},
		{"two JSON values", "/api/v1/auth/login", login + ` {}`, "application/json", 400, "bad_request"},
		{"a JSON array", "/api/v1/auth/login", `[1, 2]`, "application/json", 400, "bad_request"},
		{"JSON null", "/api/v1/auth/login", `null`, "application/json", 400, "bad_request"},
		{"over 64 KiB", "/api/v1/auth/login", pad(64<<10 + 1), "application/json", 413, "too_large"},
		{"text/plain", "/api/v1/auth/login", login, "text/plain", 415, "unsupported_media_type"},
		{"no content type", "/api/v1/auth/login", login, "", 415, "unsupported_media_type"},
		{"form encoding", "/api/v1/auth/login", "email=a&password=b", "application/x-www-form-urlencoded", 415, "unsupported_media_type"},
		{"look-alike type", "/api/v1/auth/login", login, "application/jsonp", 415, "unsupported_media_type"},
		{"unknown route", "/api/v1/no-such-thing", login, "application/json", 404, "not_found"},
	}
	each(t, func(t *testing.T, e *env) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := e.do(req{method: "POST", path: tc.path, raw: tc.body, contentType: tc.contentType})
				r.wantError(t, tc.status, tc.code)
				wantCommonHeaders(t, r, false)
			})
		}
		// At the limit exactly, and with a charset, the body is read.
		r := e.do(req{method: "POST", path: "/api/v1/auth/login", raw: pad(64 << 10), contentType: "application/json; charset=utf-8"})
		if fields := r.wantError(t, 422, "validation_failed"); fields["email"] == nil {
			t.Errorf("a 64 KiB body was not read: %s", r.Body)
		}
	})
}

// TestBodyOverTheServerLimit: past the 5 MiB upload limit the server
// refuses the request from its Content-Length alone, before any handler.
func TestBodyOverTheServerLimit(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go func() { _ = e.app.Listener(api.Listener(ln)) }()
		t.Cleanup(func() { _ = e.app.Shutdown() })

		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{", 5<<20+1)
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		r := response{Status: res.StatusCode, Header: res.Header, Body: body}
		r.wantError(t, 413, "too_large")
		wantCommonHeaders(t, r, false)
	})
}

func TestUnknownRoutesAnswerJSON(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		for _, path := range []string{"/api/v1/nothing-here", "/api/v1/", "/api/v1/admin/nothing", "/api/v2/campaigns"} {
			r := e.get(path, "")
			r.wantError(t, 404, "not_found")
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("%s: Content-Type %q", path, ct)
			}
		}
		// A known path with another method is not a route either.
		e.do(req{method: "DELETE", path: "/api/v1/campaigns"}).wantError(t, 404, "not_found")
	})
}

// wantCommonHeaders checks what every answer carries (privacy rule 9).
func wantCommonHeaders(t *testing.T, r response, https bool) {
	t.Helper()
	if r.Header.Get("X-Request-Id") == "" {
		t.Errorf("status %d: no X-Request-Id", r.Status)
	}
	csp := r.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") ||
		strings.Contains(csp, "unsafe-eval") || !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("status %d: Content-Security-Policy %q", r.Status, csp)
	}
	if v := r.Header.Get("Referrer-Policy"); v != "no-referrer" {
		t.Errorf("status %d: Referrer-Policy %q", r.Status, v)
	}
	if v := r.Header.Get("X-Content-Type-Options"); v != "nosniff" {
		t.Errorf("status %d: X-Content-Type-Options %q", r.Status, v)
	}
	if hsts := r.Header.Get("Strict-Transport-Security"); (hsts != "") != https {
		t.Errorf("status %d over https=%v: Strict-Transport-Security %q", r.Status, https, hsts)
	}
}

func TestEveryAnswerCarriesRequestIDAndStrictHeaders(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		token := e.token(store.RoleViewer)
		answers := map[string]response{
			"public read":     e.get("/api/v1/campaigns", ""),
			"missing":         e.get("/api/v1/campaigns/nope", ""),
			"staff read":      e.get("/api/v1/auth/me", token),
			"forbidden":       e.get("/api/v1/admin/users", token),
			"unauthorized":    e.get("/api/v1/auth/me", ""),
			"healthz":         e.get("/healthz", ""),
			"readyz":          e.get("/readyz", ""),
			"metrics":         e.get("/metrics", ""),
			"outside the API": e.get("/no-such-page", ""),
		}
		seen := map[string]string{}
		for name, r := range answers {
			t.Run(name, func(t *testing.T) { wantCommonHeaders(t, r, false) })
			id := r.Header.Get("X-Request-Id")
			if other, dup := seen[id]; dup && id != "" {
				t.Errorf("%s and %s share the request id %s", name, other, id)
			}
			seen[id] = name
		}
		if cc := answers["staff read"].Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("a staff answer may be cached: Cache-Control %q", cc)
		}
	})
}

func TestHSTSOnlyOverHTTPS(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		e := newBareEnv(t, db, func(c *config.Config) {
			u := *c.PublicURL
			u.Scheme = "https"
			c.PublicURL = &u
		})
		r := e.get("/healthz", "").wantStatus(t, 200)
		wantCommonHeaders(t, r, true)
		if !strings.Contains(r.Header.Get("Strict-Transport-Security"), "max-age=") {
			t.Errorf("Strict-Transport-Security = %q", r.Header.Get("Strict-Transport-Security"))
		}
	})
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		h := e.get("/healthz", "").wantStatus(t, 200).JSON(t)
		if h["status"] != "ok" || h["version"] != "test" {
			t.Errorf("/healthz = %v", h)
		}
		if r := e.get("/readyz", "").wantStatus(t, 200).JSON(t); r["status"] != "ready" {
			t.Errorf("/readyz = %v", r)
		}
	})
	for _, kind := range storetest.Kinds(t) {
		t.Run("unmigrated/"+string(kind), func(t *testing.T) {
			e := newBareEnv(t, storetest.Open(t, kind), nil)
			e.get("/readyz", "").wantError(t, 503, "unavailable")
			// Alive all the same: the process runs.
			e.get("/healthz", "").wantStatus(t, 200)
		})
	}
}

func TestMetricsArePrometheusText(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		e.get("/api/v1/campaigns", "").wantStatus(t, 200)
		e.get("/api/v1/campaigns/nope", "").wantStatus(t, 404)
		e.get("/api/v1/auth/me", "").wantStatus(t, 401)
		// Not on the public listener: per-route counts tell who is
		// confirming, withdrawing and exporting right now.
		e.get("/metrics", "").wantError(t, 404, "not_found")
		r := e.scrape().wantStatus(t, 200)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("Content-Type = %q", ct)
		}
		if !bytes.Contains(r.Body, []byte("# TYPE http_requests_total counter")) {
			t.Fatalf("/metrics has no http_requests_total:\n%s", r.Body)
		}
		// Each request is counted under its route with the status the client
		// got: a 404 or 401 is not a server error.
		for _, want := range []string{
			`method="GET",path="/api/v1/campaigns",service="undersigned",status_code="200"`,
			`method="GET",path="/api/v1/campaigns/:slug",service="undersigned",status_code="404"`,
			`method="GET",path="/api/v1/auth/me",service="undersigned",status_code="401"`,
		} {
			if !bytes.Contains(r.Body, []byte("http_requests_total{"+want+"} 1")) {
				t.Errorf("/metrics lacks http_requests_total{%s} 1", want)
			}
		}
		if bytes.Contains(r.Body, []byte(`status_code="500"`)) {
			t.Errorf("/metrics counts a server error that did not happen")
		}
	})
}

func TestDatabaseDownAnswers503WithoutInternals(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		token := e.token(store.RoleEditor)
		if err := e.db.Close(); err != nil {
			t.Fatal(err)
		}
		answers := []response{
			e.get("/api/v1/campaigns", ""),
			e.get("/api/v1/campaigns/"+seededSlug, ""),
			e.get("/api/v1/admin/campaigns", token),
			e.send("POST", "/api/v1/auth/login", "", map[string]string{"email": "admin@example.org", "password": testPassword}),
		}
		for i, r := range answers {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				r.wantError(t, 503, "unavailable")
				wantCommonHeaders(t, r, false)
				low := strings.ToLower(string(r.Body))
				for _, leak := range []string{"sql", "store:", "closed", "gorm", "postgres", "database is", "select", "goroutine"} {
					if strings.Contains(low, leak) {
						t.Errorf("the 503 body tells of internals (%q): %s", leak, r.Body)
					}
				}
			})
		}
		e.get("/readyz", "").wantStatus(t, 503)
	})
}

// A NUL character is refused alike on both stores, before it reaches one.
func TestNULCharactersAreRefusedEverywhere(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		admin := e.token("admin")
		for _, path := range []string{
			"/api/v1/admin/contacts?q=%00", "/api/v1/admin/contacts?tag=a%00", "/api/v1/admin/audit?cursor=%00",
			"/api/v1/admin/endorsements?campaign=%00", "/api/v1/campaigns/release-all-political-prisoners/signers?cursor=%00",
		} {
			e.get(path, admin).wantError(t, 400, "bad_request")
		}
		before := e.count("campaigns")
		e.send("POST", "/api/v1/admin/campaigns", e.token("editor"), map[string]any{"slug": "nul-test", "title": "a\x00b", "language": "en"}).
			wantError(t, 400, "bad_request")
		if e.count("campaigns") != before {
			t.Fatal("a campaign with a NUL in its title was stored")
		}
		// Media types are case-insensitive; the check must be too.
		e.do(req{method: "POST", path: "/api/v1/admin/campaigns", raw: `{"slug":"nul-test","title":"a\u0000b","language":"en"}`,
			contentType: "Application/JSON", token: e.token("editor")}).wantError(t, 400, "bad_request")
	})
}

// A client's X-Request-ID reaches the logs only when it is a UUID.
func TestRequestIDFromClientOnlyWhenAUUID(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		const proxyID = "6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e"
		if got := e.do(req{method: "GET", path: "/healthz", headers: map[string]string{"X-Request-ID": proxyID}}).Header.Get("X-Request-Id"); got != proxyID {
			t.Errorf("a proxy's UUID came back as %q", got)
		}
		got := e.do(req{method: "GET", path: "/healthz", headers: map[string]string{"X-Request-ID": "alena@example.org said hi"}}).Header.Get("X-Request-Id")
		if _, err := uuid.Parse(got); err != nil || strings.Contains(got, "alena") {
			t.Errorf("free text as request id came back as %q", got)
		}
	})
}

// TestBodyOverTheServerLimitReachesARealClient: a client that sends the
// whole oversized body, as browsers and net/http do, reads the 413 in the
// error shape rather than a connection reset.
func TestBodyOverTheServerLimitReachesARealClient(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.New(t, storetest.SQLite), nil)
	base := listen(t, e.app)
	body := bytes.Repeat([]byte("a"), 5<<20+1)
	for i := 0; i < 5; i++ {
		hr, _ := http.NewRequest("POST", base+"/api/v1/auth/login", bytes.NewReader(body))
		hr.Header.Set("Content-Type", "application/json")
		r := roundTrip(t, hr)
		r.wantError(t, 413, "too_large")
		wantCommonHeaders(t, r, false)
	}
}
