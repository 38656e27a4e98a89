package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/api"
	"github.com/bnp/undersigned/server/internal/auth"
	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/intake"
	"github.com/bnp/undersigned/server/internal/pow"
	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/ratelimit"
	"github.com/bnp/undersigned/server/internal/seed"
	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// testPassword is every test account's password.
const testPassword = "correct horse battery staple"

// testPasswordHash is testPassword's argon2id hash with the cheapest
// parameters argon2id allows (a hash carries its parameters, and login
// checks a password with those of the hash it is given), as auth itself
// hashes in a test binary. auth's tests cover the production cost.
var testPasswordHash = sync.OnceValues(func() (string, error) {
	return argon2id.CreateHash(testPassword, &argon2id.Params{Memory: 8, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
})

// env is one API under test on one migrated database, with a staff account
// of each role.
type env struct {
	t       *testing.T
	db      storetest.DB
	app     *fiber.App
	metrics *api.Metrics
	cfg     config.Config
	tokens  *auth.Tokens
	users   map[store.Role]store.User
}

// each runs fn against a fresh env per database.
func each(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, db storetest.DB) { fn(t, newEnv(t, db, nil)) })
}

func testConfig(t testing.TB, adjust func(*config.Config)) config.Config {
	t.Helper()
	vars := map[string]string{"DATA_DIR": t.TempDir(), "POW": "off",
		"JWT_SECRET": strings.Repeat("s", 40), "DATA_KEY": strings.Repeat("ab", 32)}
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if adjust != nil {
		adjust(&cfg)
	}
	return cfg
}

func newEnv(t *testing.T, db storetest.DB, adjust func(*config.Config)) *env {
	t.Helper()
	return newEnvDeps(t, db, adjust, nil)
}

// newEnvDeps is newEnv with a hook to change the API's dependencies (a
// Redis counter, say) before the app is built.
func newEnvDeps(t *testing.T, db storetest.DB, adjust func(*config.Config), deps func(*api.Deps)) *env {
	t.Helper()
	cfg := testConfig(t, adjust)
	tokens := auth.NewTokens(cfg.JWTSecret, cfg.PublicURL.String())
	e := &env{t: t, db: db, cfg: cfg, tokens: tokens, users: map[store.Role]store.User{}}
	d := testDeps(t, cfg, db, tokens)
	if deps != nil {
		deps(&d)
	}
	e.serve(d)
	hash, err := testPasswordHash()
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []store.Role{store.RoleAdmin, store.RoleEditor, store.RoleModerator, store.RoleViewer} {
		u := store.User{Email: string(role) + "@example.org", PasswordHash: hash, Role: role}
		if err := db.CreateUser(context.Background(), &u, nil); err != nil {
			t.Fatal(err)
		}
		e.users[role] = u
	}
	if _, err := seed.LoadIfEmpty(context.Background(), db.Store, nil); err != nil {
		t.Fatal(err)
	}
	return e
}

// testDeps wires the API as serve does, with proof of work as the config
// says (off in testConfig) and no cache, so that counts show at once.
func testDeps(t testing.TB, cfg config.Config, db storetest.DB, tokens *auth.Tokens) api.Deps {
	t.Helper()
	keys := privacy.NewKeys(cfg.DataKey)
	proof, err := pow.New(keys.Derive("pow"), cfg.POW, 0, 0, db.SpendOnce)
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := mailers.NewCatalog(mailers.Site{ContactEmail: cfg.ContactEmail, SenderName: cfg.MailFrom.Name})
	if err != nil {
		t.Fatal(err)
	}
	intakeWorker := startIntake(t, db.Store, cfg)
	return api.Deps{
		Config: cfg, Store: db.Store, Tokens: tokens, Keys: keys, Pow: proof, Catalog: catalog,
		Limiter: ratelimit.New(db.Store, cfg.RateLimits), Version: "test",
		Intake: intakeWorker, Hasher: intakeWorker.Hasher,
		Log: testLogKeys(t, cfg),
	}
}

// startIntake runs an intake worker, as serve does, until the test ends.
// It polls as seldom as in production: the requests a test makes wake it
// (a test's own mail queue, once set as its Mail, is woken by it in turn),
// and a fast poll of every test's database kept both cores busy.
func startIntake(t testing.TB, st *store.Store, cfg config.Config) *intake.Worker {
	t.Helper()
	w := intake.New(st, privacy.NewKeys(cfg.DataKey), cfg.PublicURL.String())
	sealer, err := privacy.NewCoalition(cfg.SealRecipients)
	if err != nil {
		t.Fatal(err)
	}
	w.Coalition = sealer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return w
}

// settle waits until the intake worker has handled every accepted signing
// request: the intake table is empty only once each entry's outcome has
// committed, in the transaction that deleted it.
func (e *env) settle() {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for e.count("intake") > 0 {
		if time.Now().After(deadline) {
			e.t.Fatal("the intake worker did not handle the accepted signing requests within 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// serve builds the app under test, keeping its metrics for scrape.
func (e *env) serve(d api.Deps) {
	if d.Metrics == nil {
		d.Metrics = api.NewMetrics()
	}
	e.metrics = d.Metrics
	e.app = api.New(d)
}

// scrape reads the metrics as Prometheus does, on their own listener.
func (e *env) scrape() response {
	e.t.Helper()
	rec := httptest.NewRecorder()
	e.metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// response is what a test reads of an answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a map.
func (r response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// wantError checks the status and the error shape with its code, and
// returns the fields map (possibly empty).
func (r response) wantError(t *testing.T, status int, code string) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body %s", r.Status, status, r.Body)
	}
	e, ok := r.JSON(t)["error"].(map[string]any)
	if !ok || e["code"] != code || e["message"] == "" {
		t.Fatalf("error shape: want code %q, got %s", code, r.Body)
	}
	fields, _ := e["fields"].(map[string]any)
	return fields
}

// wantReason checks a refusal's status, class and reason (reasons.go).
func (r response) wantReason(t *testing.T, status int, code, reason string) {
	t.Helper()
	r.wantError(t, status, code)
	if e := r.JSON(t)["error"].(map[string]any); e["reason"] != reason {
		t.Fatalf("reason: want %q, got %s", reason, r.Body)
	}
}

func (r response) wantStatus(t *testing.T, status int) response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body %s", r.Status, status, r.Body)
	}
	return r
}

// req describes one request.
type req struct {
	method, path string
	body         any    // marshalled to JSON unless raw is set
	raw          string // sent as is
	contentType  string
	token        string
	cookies      []*http.Cookie
	headers      map[string]string
}

func (e *env) do(r req) response {
	e.t.Helper()
	var sent []byte
	ct := r.contentType
	switch {
	case r.raw != "":
		sent = []byte(r.raw)
	case r.body != nil:
		b, err := json.Marshal(r.body)
		if err != nil {
			e.t.Fatal(err)
		}
		sent = b
		if ct == "" {
			ct = "application/json"
		}
	}
	var body io.Reader
	if sent != nil {
		body = bytes.NewReader(sent)
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	if ct != "" {
		hr.Header.Set("Content-Type", ct)
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	for _, c := range r.cookies {
		hr.AddCookie(c)
	}
	for k, v := range r.headers {
		hr.Header.Set(k, v)
	}
	res, err := e.app.Test(hr, -1)
	if err != nil {
		e.t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	checkContract(e.t, r.method, r.path, hr.Header, sent, res.StatusCode, res.Header, b)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

func (e *env) get(path, token string) response {
	e.t.Helper()
	return e.do(req{method: "GET", path: path, token: token})
}

func (e *env) send(method, path, token string, body any) response {
	e.t.Helper()
	return e.do(req{method: method, path: path, token: token, body: body})
}

// login signs a role's account in and returns its access token and the
// refresh cookie.
func (e *env) login(role store.Role) (string, *http.Cookie) {
	e.t.Helper()
	r := e.send("POST", "/api/v1/auth/login", "", map[string]string{"email": e.users[role].Email, "password": testPassword}).wantStatus(e.t, 200)
	token, _ := r.JSON(e.t)["access_token"].(string)
	return token, refreshCookieOf(e.t, r)
}

func refreshCookieOf(t *testing.T, r response) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "undersigned_refresh" && c.Value != "" {
			return c
		}
	}
	t.Fatalf("no refresh cookie in %v", r.Header["Set-Cookie"])
	return nil
}

// token returns an access token for a role without going through login.
// It opens a session as login does, without login's argon2id check, which
// the login tests cover.
func (e *env) token(role store.Role) string {
	e.t.Helper()
	u := e.users[role]
	_, hash := auth.NewToken()
	sess, err := e.db.CreateSession(context.Background(), u.ID, hash, 7*24*time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	tok, _, err := e.tokens.Issue(u.ID, sess.ID, string(u.Role))
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// count counts rows of a table, to prove that a refused request wrote nothing.
func (e *env) count(table string) int64 {
	e.t.Helper()
	n, err := e.db.CountRows(context.Background(), table)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// identity is the coalition's identity that this test server seals to
// (generated into DATA_DIR by development config): what staff paste in.
func (e *env) identity(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(e.cfg.DevSealIdentity)
	if err != nil {
		t.Fatalf("no development seal identity: %v", err)
	}
	id, err := privacy.ParseIdentityFile(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return id.Secret
}
