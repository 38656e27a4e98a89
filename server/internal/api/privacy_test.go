package api_test

import (
	"bytes"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// TestNoAddressOrIPAtRest signs and confirms behind a trusted proxy, lets the
// queue send the email, runs what housekeeping runs, and then searches the
// raw database (SQLite: the file and its write-ahead log; PostgreSQL: a
// dump) for the plain address and the IP address.
func TestNoAddressOrIPAtRest(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds(t) {
		t.Run(string(kind), func(t *testing.T) {
			db := storetest.New(t, kind)
			e := newMailEnv(t, db, func(c *config.Config) { c.TrustedProxies = []string{"0.0.0.0/0"} })
			const email, ip = "hidden.signer@example.org", "203.0.113.77"
			// A public name is published anyway, so it stays readable: the
			// sanity check below finds it (a private one is sealed).
			body := signBody("Hidden Signer", email)
			body["visibility"] = "public"
			r := e.do(req{method: "POST", path: demo + "/signatures", body: body,
				headers: map[string]string{"X-Forwarded-For": ip}})
			r.wantStatus(t, 202)
			msg := e.smtp.Wait(1, 10*time.Second)[0]
			e.send("POST", "/api/v1/signatures/confirm", "", map[string]string{"token": linkIn(t, msg.Text, "/confirm/")}).wantStatus(t, 200)
			waitSent(t, e)
			if n, err := e.db.CountWhere(t.Context(), "signatures", "ip_hash IS NOT NULL"); err != nil || n != 0 {
				t.Fatalf("%d signatures keep an ip hash, %v: none may", n, err)
			}
			if err := e.db.Checkpoint(t.Context()); err != nil {
				t.Fatal(err)
			}
			raw := rawDatabase(t, db)
			if len(raw) < 1000 {
				t.Fatalf("the raw database is only %d bytes: the search would prove nothing", len(raw))
			}
			if !bytes.Contains(raw, []byte("Hidden Signer")) {
				t.Fatal("the signer's name is not in the raw database: the search reads the wrong thing")
			}
			for _, secret := range []string{email, "hidden.signer", ip} {
				if bytes.Contains(raw, []byte(secret)) {
					t.Errorf("%q is stored in the database", secret)
				}
			}
		})
	}
}

func waitSent(t *testing.T, e *mailEnv) {
	t.Helper()
	e.settle() // what the intake worker queues comes first
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := e.db.CountWhere(t.Context(), "mail_messages", "status = 'queued'")
		if err == nil && n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("mail still queued: %d (%v)", n, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func rawDatabase(t *testing.T, db storetest.DB) []byte {
	t.Helper()
	if db.Kind == storetest.SQLite {
		var all []byte
		for _, suffix := range []string{"", "-wal", "-shm"} {
			b, err := os.ReadFile(db.Path + suffix)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		return all
	}
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("search_path")
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	out, err := exec.Command("pg_dump", "--no-owner", "--schema="+schema, "--dbname="+strings.TrimSuffix(u.String(), "?")).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	return out
}
