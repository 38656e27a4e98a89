package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/smtptest"
	"github.com/bnp/undersigned/server/internal/store/storetest"
	"github.com/bnp/undersigned/server/internal/translog"
)

var confirmLink = regexp.MustCompile(`/confirm/([A-Za-z0-9_-]+)`)

// signAndConfirm signs the demo campaign on a running server and confirms
// through the emailed link; it returns the receipt.
func (c *child) signAndConfirm(srv *smtptest.Server, email string) string {
	c.t.Helper()
	before := len(srv.Messages())
	c.call("POST", "/api/v1/campaigns/release-all-political-prisoners/signatures", "",
		map[string]any{"name": "A Signer", "email": email, "country": "BY", "consent": true}, 202)
	msg := srv.Wait(before+1, 20*time.Second)[before]
	m := confirmLink.FindStringSubmatch(msg.Text)
	if m == nil {
		c.t.Fatalf("no confirmation link in %q", msg.Text)
	}
	r := c.call("POST", "/api/v1/signatures/confirm", "", map[string]string{"token": m[1]}, 200)
	receipt, _ := r["receipt"].(string)
	return receipt
}

// waitCheckpoint waits for the batcher to sign a checkpoint of size n.
func (c *child) waitCheckpoint(slugURL string, n int) []byte {
	c.t.Helper()
	want := "\n" + string(rune('0'+n)) + "\n"
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(slugURL + "/checkpoint")
		if err == nil {
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == 200 && strings.Contains(string(b), want) {
				return b
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatalf("no checkpoint of size %d within 20s", n)
	return nil
}

// The witness and verify commands against a server whose batcher runs on
// its own interval: a witness cosigns, and verify checks every tile, the
// count and consistency with an earlier checkpoint.
func TestWitnessAndVerifyCommandsAgainstARunningServer(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds(t) {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			keyFile := filepath.Join(dir, "witness.key")
			key, name, err := witnessKey(keyFile, "witness.example.org")
			if err != nil {
				t.Fatal(err)
			}
			_, vkey, err := translog.NewWitnessKey(name, key)
			if err != nil {
				t.Fatal(err)
			}
			srv := smtptest.Start(t)
			vars := map[string]string{"DATA_DIR": t.TempDir(), "SMTP_URL": srv.URL().String(), "POW": "off",
				"RATE_LIMITS": "off", "LOG_BATCH_INTERVAL": "300ms", "LOG_WITNESSES": vkey}
			if kind == storetest.Postgres {
				vars["DATABASE_URL"] = storetest.MigratedSchema(t)
			}
			c := startChild(t, vars)
			logURL := c.base + "/log/release-all-political-prisoners"
			if receipt := c.signAndConfirm(srv, "one@example.org"); receipt == "" {
				t.Fatal("no receipt")
			}
			earlier := filepath.Join(dir, "digest-checkpoint")
			if err := os.WriteFile(earlier, c.waitCheckpoint(logURL, 1), 0o600); err != nil {
				t.Fatal(err)
			}
			logKey, err := get(context.Background(), http.DefaultClient, c.base+"/log/key")
			if err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"witness", "--log", logURL, "--log-key", string(logKey),
				"--key", keyFile, "--state", filepath.Join(dir, "state"), "--once"}, strings.NewReader(""), &stdout, &stderr)
			if code != 0 || !strings.Contains(stdout.String(), "cosigned a new checkpoint: true") {
				t.Fatalf("witness: %d\n%s\n%s", code, stdout.String(), stderr.String())
			}
			if cp := c.waitCheckpoint(logURL, 1); !strings.Contains(string(cp), "— witness.example.org ") {
				t.Fatalf("not served cosigned:\n%s", cp)
			}

			c.signAndConfirm(srv, "two@example.org")
			c.waitCheckpoint(logURL, 2)
			stdout.Reset()
			stderr.Reset()
			code = run(context.Background(), []string{"verify", "--log", logURL, "--checkpoint", earlier}, strings.NewReader(""), &stdout, &stderr)
			out := stdout.String()
			if code != 0 || !strings.Contains(out, "counted: 2 signatures") || !strings.Contains(out, "consistent: the earlier checkpoint of size 1") ||
				!strings.Contains(out, "2 confirmed, 0 withdrawn") {
				t.Fatalf("verify: %d\n%s\n%s", code, out, stderr.String())
			}
		})
	}
}
