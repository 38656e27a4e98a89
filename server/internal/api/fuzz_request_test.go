package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/bnp/undersigned/server/internal/api"
	"github.com/bnp/undersigned/server/internal/auth"
	"github.com/bnp/undersigned/server/internal/seed"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// errorCodes are the codes of the error shape (docs/openapi.json).
var errorCodes = []string{"bad_request", "unauthorized", "forbidden", "not_found", "conflict", "too_large",
	"unsupported_media_type", "validation_failed", "rate_limited", "unavailable", "method_not_allowed", "timeout"}

// FuzzRequestGuard sends arbitrary requests through the whole guard
// (request ids, headers, content types, body limits, decode, validation):
// no request makes a 5xx, and every refusal is in the error shape with the
// strict headers.
func FuzzRequestGuard(f *testing.F) {
	db := storetest.New(f, storetest.SQLite)
	cfg := testConfig(f, nil)
	app := api.New(testDeps(f, cfg, db, auth.NewTokens(cfg.JWTSecret, cfg.PublicURL.String())))
	if _, err := seed.LoadIfEmpty(context.Background(), db.Store, nil); err != nil {
		f.Fatal(err)
	}
	sign := demo + "/signatures"
	for _, s := range []struct{ method, path, ct, body string }{
		{"POST", sign, "application/json", `{"name":"A","email":"a@example.org","country":"BY","consent":false,"Consent":true}`},
		{"POST", sign, "application/json", `{"":""}`},
		{"POST", sign, "application/json", `{"name":"A","email":"a@example.org","country":"BY","consent":true,"consent":true}`},
		{"POST", sign, "text/plain", `{}`},
		{"POST", sign, "application/json", `[1,2`},
		{"FROB", "/api/v1/campaigns", "", ""},
		{"GET", "/api/v1/campaigns/%00", "", ""},
		{"POST", "/api/v1/signatures/confirm", "application/json", `{"token":"\u0000"}`},
		{"POST", "/api/v1/contacts/unsubscribe", "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click"},
		{"POST", "/api/v1/auth/login", "application/json", `{"email":"a@b.org","password":"😀😀😀"}`},
		{"GET", "/api/v1/admin/campaigns", "", ""},
		{"PATCH", demo, "application/json", `{}`},
	} {
		f.Add(s.method, s.path, s.ct, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, method, path, ct string, body []byte) {
		hr, err := http.NewRequest(method, "http://localhost"+path, bytes.NewReader(body))
		if err != nil || hr.URL.Path == "" {
			return // not a request a client could send
		}
		if ct != "" {
			hr.Header.Set("Content-Type", ct)
		}
		res, err := app.Test(hr, 10_000)
		if err != nil && strings.Contains(err.Error(), "timeout") {
			t.Fatalf("%s %q (%s) hangs: %v", method, path, ct, err)
		}
		if err != nil {
			return // refused by the transport before the app (malformed request line)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s → %d %s", method, path, res.StatusCode, b)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("X-Request-Id") == "" {
			t.Fatalf("%s %s → %d without the strict headers: %v", method, path, res.StatusCode, res.Header)
		}
		if res.StatusCode < 400 {
			return
		}
		var shape struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(b, &shape); err != nil || !slices.Contains(errorCodes, shape.Error.Code) || shape.Error.Message == "" {
			t.Fatalf("%s %s → %d outside the error shape: %s", method, path, res.StatusCode, b)
		}
	})
}
