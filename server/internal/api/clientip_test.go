package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// signVia signs the demo campaign with these X-Forwarded-For lines, each
// sent as a header line of its own, and returns the status.
func (e *env) signVia(t *testing.T, email string, xff ...string) int {
	t.Helper()
	b, _ := json.Marshal(signBody("Same Client", email))
	r := httptest.NewRequest("POST", demo+"/signatures", bytes.NewReader(b))
	r.Header.Set("Content-Type", "application/json")
	r.Header["X-Forwarded-For"] = xff
	res, err := e.app.Test(r, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}

// Behind a trusted proxy, a client that writes its own X-Forwarded-For
// values still gets one bucket: past 60 signatures in 10 minutes from one
// address, it gets 429 (issue 11, hole 2: a forged entry gave a fresh
// bucket per request, for this limit and the shadow flag alike).
func TestForgedForwardedForDoesNotEscapeLimits(t *testing.T) {
	t.Parallel()
	// app.Test's connection comes from 0.0.0.0: that is the proxy.
	behindProxy := func(c *config.Config) { c.TrustedProxies = []string{"0.0.0.0", "10.0.0.0/8"} }
	for _, style := range []struct {
		name  string
		lines func(i int) []string
	}{
		// nginx: proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for
		// appends the peer to whatever the client sent.
		{"nginx", func(i int) []string { return []string{fmt.Sprintf("198.51.100.%d, 203.0.113.7", i)} }},
		// nginx behind another trusted proxy of ours.
		{"two proxies", func(i int) []string {
			return []string{fmt.Sprintf("garbage-%d, 198.51.100.%d, 203.0.113.7, 10.1.2.3", i, i)}
		}},
		// HAProxy: option forwardfor adds a line of its own after the
		// client's.
		{"haproxy", func(i int) []string { return []string{fmt.Sprintf("198.51.100.%d", i), "203.0.113.7"} }},
	} {
		t.Run(style.name, func(t *testing.T) {
			t.Parallel()
			storetest.Each(t, func(t *testing.T, db storetest.DB) {
				t.Parallel()
				e := newEnv(t, db, behindProxy)
				for i := 0; i < 60; i++ {
					if st := e.signVia(t, fmt.Sprintf("c%02d@example.org", i), style.lines(i)...); st != 202 {
						t.Fatalf("sign %d: status %d", i, st)
					}
				}
				if st := e.signVia(t, "c60@example.org", style.lines(60)...); st != 429 {
					t.Fatalf("61st signature from one client: status %d, want 429: forged entries gave fresh buckets", st)
				}
				// Another client behind the same proxy is not affected.
				if st := e.signVia(t, "neighbour@example.org", "203.0.113.8"); st != 202 {
					t.Fatalf("neighbour: status %d", st)
				}
			})
		})
	}
}
