package api_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/api"
	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// Regression tests for what fuzzing found (issue 17, point 11); each names
// the input that once went through.

func TestPasswordLengthIsCountedInCharacters(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		admin := e.token(store.RoleAdmin)
		before := e.count("users")
		// Three emoji are twelve bytes but three characters.
		body := map[string]any{"email": "short@example.org", "password": "😀😀😀", "role": "viewer"}
		if f := e.send("POST", "/api/v1/admin/users", admin, body).wantError(t, 422, "validation_failed"); f["password"] == nil {
			t.Fatalf("fields = %v", f)
		}
		if n := e.count("users"); n != before {
			t.Fatalf("users %d → %d: a refused account was written", before, n)
		}
		body["password"] = strings.Repeat("😀", 12)
		e.send("POST", "/api/v1/admin/users", admin, body).wantStatus(t, 201)
	})
}

func TestDecodeIsExactAboutKeys(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		const sign = demo + "/signatures"
		ok := `"name":"Alena","email":"alena@example.org","country":"BY"`
		cases := []struct {
			name, body, status, field string
		}{
			{"a key in another letter case", `{` + ok + `,"consent":false,"Consent":true}`, "422", "Consent"},
			{"a key given twice", `{` + ok + `,"consent":false,"consent":true}`, "422", "consent"},
			{"an empty key", `{` + ok + `,"consent":true,"":""}`, "400", ""},
			{"a field in capitals only", `{` + ok + `,"CONSENT":true}`, "422", "CONSENT"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := e.do(req{method: "POST", path: sign, raw: tc.body, contentType: "application/json"})
				if tc.status == "400" {
					r.wantError(t, 400, "bad_request")
				} else if f := r.wantError(t, 422, "validation_failed"); f[tc.field] == nil {
					t.Fatalf("fields = %v, want %q named", f, tc.field)
				}
				if n := e.count("signatures"); n != 0 {
					t.Fatalf("%d signatures written", n)
				}
			})
		}
		// The same body, spelt right, is accepted.
		e.do(req{method: "POST", path: sign, raw: `{` + ok + `,"consent":true}`, contentType: "application/json"}).wantStatus(t, 202)
	})
}

func TestEveryAnswerIsInTheErrorShape(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.New(t, storetest.SQLite), nil)
	t.Run("unknown method", func(t *testing.T) {
		r := e.do(req{method: "FROB", path: "/api/v1/campaigns"})
		r.wantError(t, 405, "method_not_allowed")
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("X-Request-Id") == "" {
			t.Fatalf("headers %v", r.Header)
		}
	})
	base := listen(t, e.app)
	t.Run("headers too large", func(t *testing.T) {
		hr, _ := http.NewRequest("GET", base+"/api/v1/campaigns", nil)
		hr.Header.Set("X-Padding", strings.Repeat("x", 16<<10))
		r := roundTrip(t, hr)
		r.wantError(t, 431, "too_large")
		if r.Header.Get("Content-Security-Policy") == "" {
			t.Fatalf("headers %v", r.Header)
		}
	})
	t.Run("body over a route's limit", func(t *testing.T) {
		big := `{"name":"` + strings.Repeat("a", 65<<10) + `"}`
		hr, _ := http.NewRequest("POST", base+demo+"/signatures", strings.NewReader(big))
		hr.Header.Set("Content-Type", "application/json")
		roundTrip(t, hr).wantError(t, 413, "too_large")
	})
}

// listen serves app on a real socket, for what only a real connection
// shows (header limits, resets); it stops when the test ends.
func listen(t *testing.T, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(api.Listener(ln)) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	return "http://" + ln.Addr().String()
}

func roundTrip(t *testing.T, hr *http.Request) response {
	t.Helper()
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", hr.Method, hr.URL.Path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

func TestAccessTokensHaveOneSpelling(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.New(t, storetest.SQLite), nil)
	token := e.token(store.RoleViewer)
	e.get("/api/v1/auth/me", token).wantStatus(t, 200)
	// The signature is 32 bytes: 43 base64url characters whose last one
	// carries 4 bits and 2 unused ones. Setting those unused bits spells the
	// same bytes another way, which strict decoding refuses.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, token[len(token)-1])
	for extra := 1; extra < 4; extra++ {
		other := token[:len(token)-1] + string(alphabet[last|extra])
		e.get("/api/v1/auth/me", other).wantError(t, 401, "unauthorized")
	}
}

// A campaign deleted while a cached copy still serves its page: signing or
// endorsing it meets a foreign key, which must be a 404, not a 500.
func TestSigningACampaignJustDeletedIsNotFound(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		e := newEnv(t, db, nil)
		deps := testDeps(t, e.cfg, db, e.tokens)
		deps.CacheTTL = time.Hour
		e.app = api.New(deps)
		editor := e.token(store.RoleEditor)
		c := newCampaign()
		c["opens_at"], c["closes_at"], c["translations"] = nil, nil, nil
		e.send("POST", "/api/v1/admin/campaigns", editor, c).wantStatus(t, 201)
		const page = "/api/v1/campaigns/free-the-journalists"
		e.get(page, "").wantStatus(t, 200) // now cached
		e.do(req{method: "DELETE", path: "/api/v1/admin/campaigns/free-the-journalists", token: editor}).wantStatus(t, 204)
		e.send("POST", page+"/signatures", "", signBody("Alena", "alena@example.org")).wantError(t, 404, "not_found")
		e.send("POST", page+"/endorsements", "", endorseBody("Viasna", "office@viasna.example")).wantError(t, 404, "not_found")
		for _, table := range []string{"signatures", "endorsements", "mail_messages"} {
			if n, err := db.CountRows(context.Background(), table); err != nil || n != 0 {
				t.Errorf("%s: %d rows (%v)", table, n, err)
			}
		}
	})
}
