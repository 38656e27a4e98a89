package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// childMarker, set in a child's environment, makes this test binary run as
// undersigned itself: a test can then kill a real server process with
// SIGKILL, without building the binary apart.
const childMarker = "UNDERSIGNED_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childMarker) == "serve" {
		main() // exits
	}
	os.Exit(m.Run())
}

// configVariables are every variable the configuration reads; a child gets
// only those its test sets, not the machine's own.
var configVariables = []string{"LISTEN_ADDR", "PUBLIC_URL", "DATABASE_URL", "DATA_DIR", "SMTP_URL", "MAIL_FROM",
	"JWT_SECRET", "DATA_KEY", "ADMIN_EMAIL", "ADMIN_PASSWORD", "SEED_DEMO", "RATE_LIMITS", "POW",
	"REDIS_URL", "TRUSTED_PROXIES", "LOG_LEVEL", "MAIL_CONNECTIONS", "MAIL_RATE", "SHUTDOWN_TIMEOUT",
	"DEV_OUTBOX", "METRICS_ADDR",
	"LOG_SIGNING_KEY", "LOG_BATCH_INTERVAL", "LOG_WITNESSES"}

// child is undersigned serving in a process of its own.
type child struct {
	t      *testing.T
	cmd    *exec.Cmd
	base   string // http://host:port
	log    string // the file its log goes to
	exited chan struct{}
}

// startChild runs `undersigned serve` with vars as its configuration (and a
// free LISTEN_ADDR) and waits until it answers /readyz. The process is
// killed when the test ends if it still runs.
func startChild(t *testing.T, vars map[string]string) *child {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()

	skip := map[string]bool{childMarker: true}
	for _, name := range configVariables {
		skip[name], skip[name+"_FILE"] = true, true
	}
	var env []string
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); !skip[name] {
			env = append(env, kv)
		}
	}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	env = append(env, "LISTEN_ADDR="+addr, childMarker+"=serve")
	if _, set := vars["METRICS_ADDR"]; !set {
		env = append(env, "METRICS_ADDR=127.0.0.1:0")
	}

	logPath := filepath.Join(t.TempDir(), "serve.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env, cmd.Stdout, cmd.Stderr = env, logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{t: t, cmd: cmd, base: "http://" + addr, log: logPath, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		_ = logFile.Close()
		close(c.exited)
	}()
	t.Cleanup(func() {
		c.kill()
		if t.Failed() {
			c.dumpLog()
		}
	})

	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(c.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return c
			}
		}
		select {
		case <-c.exited:
			c.dumpLog()
			t.Fatalf("undersigned serve exited before it was ready: %v", cmd.ProcessState)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("undersigned serve was not ready within 30s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill ends the process with SIGKILL, as a crash or an OOM killer would:
// nothing is given back, nothing is finished. It returns once it is gone.
func (c *child) kill() {
	select {
	case <-c.exited:
		return
	default:
	}
	_ = c.cmd.Process.Kill()
	<-c.exited
}

// stop asks the process to shut down with SIGTERM, as an operator or an
// orchestrator does, and waits until it has; it kills it after 15 s.
func (c *child) stop() {
	c.t.Helper()
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
		if code := c.cmd.ProcessState.ExitCode(); code != 0 {
			c.t.Errorf("undersigned serve exited with %d after SIGTERM", code)
		}
	case <-time.After(15 * time.Second):
		c.kill()
		c.t.Error("undersigned serve did not stop within 15s of SIGTERM")
	}
}

func (c *child) dumpLog() {
	b, _ := os.ReadFile(c.log)
	if len(b) > 8000 {
		b = b[len(b)-8000:]
	}
	c.t.Logf("log of the server process (end):\n%s", b)
}

// call sends a request and decodes the JSON answer; body is JSON unless
// it is a string, sent as text/csv.
func (c *child) call(method, path, token string, body any, wantStatus int) map[string]any {
	c.t.Helper()
	var r io.Reader
	contentType := ""
	switch b := body.(type) {
	case nil:
	case string:
		r, contentType = strings.NewReader(b), "text/csv"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		r, contentType = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(res.Body)
	if res.StatusCode != wantStatus {
		c.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, res.StatusCode, wantStatus, answer)
	}
	var m map[string]any
	if err := json.Unmarshal(answer, &m); err != nil {
		c.t.Fatalf("%s %s: body is not a JSON object: %s", method, path, answer)
	}
	return m
}

// login signs in and returns an access token.
func (c *child) login(email, password string) string {
	c.t.Helper()
	token, _ := c.call("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": password}, 200)["access_token"].(string)
	if token == "" {
		c.t.Fatal("login gave no access token")
	}
	return token
}
