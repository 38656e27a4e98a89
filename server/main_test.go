package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// cleanEnv blanks every variable the configuration reads, so that the
// machine's own environment does not leak into a test (an empty value
// counts as unset).
func cleanEnv(t *testing.T) {
	t.Helper()
	for _, name := range []string{"LISTEN_ADDR", "PUBLIC_URL", "DATABASE_URL", "SMTP_URL", "MAIL_FROM",
		"JWT_SECRET", "DATA_KEY", "ADMIN_EMAIL", "ADMIN_PASSWORD", "SEED_DEMO", "RATE_LIMITS", "POW",
		"REDIS_URL", "TRUSTED_PROXIES", "LOG_LEVEL", "MAIL_CONNECTIONS", "MAIL_RATE", "SHUTDOWN_TIMEOUT",
		"DEV_OUTBOX", "METRICS_ADDR",
		"LOG_SIGNING_KEY", "LOG_BATCH_INTERVAL", "LOG_WITNESSES"} {
		t.Setenv(name, "")
		t.Setenv(name+"_FILE", "")
	}
	t.Setenv("DATA_DIR", t.TempDir())
	// Tests run servers side by side: each gets a free metrics port.
	t.Setenv("METRICS_ADDR", "127.0.0.1:0")
}

func TestBadConfigStopsStartUpWithOneLine(t *testing.T) {
	cleanEnv(t)
	t.Setenv("RATE_LIMITS", "maybe")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"serve"}, strings.NewReader(""), &stdout, &stderr)
	if code != 1 {
		t.Fatalf("exit code %d, want 1; stderr %q", code, stderr.String())
	}
	msg := stderr.String()
	if !strings.Contains(msg, "RATE_LIMITS") || strings.Count(msg, "\n") != 1 || !strings.HasSuffix(msg, "\n") {
		t.Errorf("stderr = %q, want one line naming RATE_LIMITS", msg)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q", stdout.String())
	}
}

func TestCommands(t *testing.T) {
	cleanEnv(t)
	cases := []struct {
		args           []string
		code           int
		stdout, stderr string // substrings; "" means the stream must be empty
	}{
		{[]string{"version"}, 0, "undersigned " + version + "\n", ""},
		{[]string{"help"}, 0, "usage:", ""},
		{[]string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{[]string{"user"}, 1, "", "usage: undersigned user create"},
		{[]string{"user", "create", "--email", "not-an-address", "--role", "admin"}, 1, "", "--email"},
		{[]string{"user", "create", "--email", "a@example.org", "--role", "owner"}, 1, "", "--role"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, strings.NewReader(""), &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit code %d, want %d; stderr %q", code, tc.code, stderr.String())
			}
			for name, c := range map[string]struct{ got, want string }{"stdout": {stdout.String(), tc.stdout}, "stderr": {stderr.String(), tc.stderr}} {
				if (c.want == "" && c.got != "") || !strings.Contains(c.got, c.want) {
					t.Errorf("%s = %q, want %q", name, c.got, c.want)
				}
			}
		})
	}
}

// TestGracefulShutdown sends a request whose body arrives only after the
// shutdown has begun: it must still get its whole answer.
func TestGracefulShutdown(t *testing.T) {
	quiet := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(func() { slog.SetDefault(quiet) })

	for _, kind := range storetest.Kinds(t) {
		t.Run(string(kind), func(t *testing.T) {
			vars := map[string]string{"DATA_DIR": t.TempDir(), "LISTEN_ADDR": "127.0.0.1:0", "SHUTDOWN_TIMEOUT": "5s", "METRICS_ADDR": "off"}
			if kind == storetest.Postgres {
				vars["DATABASE_URL"] = storetest.MigratedSchema(t)
			}
			cfg, err := config.Load(func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ready := make(chan string, 1)
			done := make(chan error, 1)
			go func() { done <- serve(ctx, cfg, io.Discard, ready) }()

			var addr string
			select {
			case addr = <-ready:
			case err := <-done:
				t.Fatalf("serve returned before it was ready: %v", err)
			case <-time.After(30 * time.Second):
				t.Fatal("serve was not ready within 30s")
			}

			body := `{"email":"nobody@example.org","password":"not the password"}`
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_, err = fmt.Fprintf(conn, "POST /api/v1/auth/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", addr, len(body))
			if err != nil {
				t.Fatal(err)
			}
			// Let the server accept the connection and read the headers.
			time.Sleep(200 * time.Millisecond)

			cancel()
			// Shutdown has begun once the listener refuses new connections.
			waitRefused(t, addr, 5*time.Second)
			// serve must wait for the request in flight: were it to return now,
			// main would exit and cut the connection.
			select {
			case err := <-done:
				t.Fatalf("serve returned (%v) while a request was in flight", err)
			case <-time.After(300 * time.Millisecond):
			}

			if _, err := io.WriteString(conn, body); err != nil {
				t.Fatalf("writing the body after shutdown began: %v", err)
			}
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer to the request in flight: %v", err)
			}
			answer, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				t.Fatalf("answer cut short: %v", err)
			}
			var shape struct {
				Error struct{ Code string } `json:"error"`
			}
			if res.StatusCode != 401 && res.StatusCode != 422 {
				t.Errorf("status %d, want 401 or 422; body %s", res.StatusCode, answer)
			}
			if err := json.Unmarshal(answer, &shape); err != nil || shape.Error.Code == "" {
				t.Errorf("answer is not the error shape: %s", answer)
			}

			select {
			case err := <-done:
				if err != nil {
					t.Errorf("serve returned %v, want nil", err)
				}
			case <-time.After(cfg.ShutdownTimeout + 5*time.Second):
				t.Fatal("serve did not return within the shutdown timeout")
			}
			if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
				c.Close()
				t.Error("a new connection was accepted after shutdown")
			}
		})
	}
}

func waitRefused(t *testing.T, addr string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			var op *net.OpError
			if errors.As(err, &op) {
				return
			}
			t.Fatalf("dial: %v", err)
		}
		c.Close()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s still accepts connections %v after the shutdown began", addr, within)
}
