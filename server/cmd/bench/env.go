package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
)

// benchEnv is the server under test with its database and mail sink.
type benchEnv struct {
	o        options
	dbURL    string
	baseURL  string
	store    *store.Store
	server   *exec.Cmd
	sink     *smtp.Server
	sinkAddr string
	received atomic.Int64
	dir      string
	failed   bool
	// sign and confirm are those measures' figures, for the ratios to
	// pgbench printed beside it.
	sign, confirm measured
}

// measured is a wrk measure's rate and p99, as wrk printed it.
type measured struct {
	rate float64
	p99  string
}

func setup(ctx context.Context, o options) (*benchEnv, error) {
	e := &benchEnv{o: o}
	var err error
	if e.dir, err = os.MkdirTemp("", "undersigned-bench-"); err != nil {
		return nil, err
	}
	admin, err := store.Open(ctx, o.adminURL, "")
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL at %s: %w", o.adminURL, err)
	}
	defer admin.Close()
	if err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+o.database+" WITH (FORCE)"); err != nil {
		return nil, err
	}
	if err := admin.Exec(ctx, "CREATE DATABASE "+o.database); err != nil {
		return nil, err
	}
	u, _ := url.Parse(o.adminURL)
	u.Path = "/" + o.database
	e.dbURL = u.String()
	if e.store, err = store.Open(ctx, e.dbURL, "", benchCipher); err != nil {
		return nil, err
	}
	if err := e.startSink(); err != nil {
		return nil, err
	}
	if err := e.startServer(); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

// startSink runs an SMTP server that accepts and discards every message.
func (e *benchEnv) startSink() error {
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	e.sinkAddr = ln.Addr().String()
	e.sink = smtp.NewServer(sinkBackend{e})
	e.sink.Domain = "sink.localhost"
	go func() { _ = e.sink.Serve(ln) }()
	return nil
}

type sinkBackend struct{ e *benchEnv }

func (b sinkBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return sinkSession(b), nil }

type sinkSession struct{ e *benchEnv }

func (sinkSession) Reset()                               {}
func (sinkSession) Logout() error                        { return nil }
func (sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s sinkSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	s.e.received.Add(1)
	return err
}

// startServer runs the binary on the bench database, limits and proof of
// work off, mail to the sink, and waits until it is ready.
func (e *benchEnv) startServer() error {
	cmd, base, err := e.launch(e.dbURL, filepath.Join(e.dir, "data"), "server.log")
	if err != nil {
		return err
	}
	e.server, e.baseURL = cmd, base
	return nil
}

// launch starts one instance of the binary on databaseURL (empty: SQLite in
// dataDir), logging to logName in the bench folder, and waits until it is
// ready.
func (e *benchEnv) launch(databaseURL, dataDir, logName string, extraEnv ...string) (*exec.Cmd, string, error) {
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	base := "http://" + addr
	cmd := exec.CommandContext(context.Background(), e.o.binary, "serve") //nolint:gosec // the binary the developer asked to measure
	cmd.Env = append(os.Environ(),
		"LISTEN_ADDR="+addr, "DATABASE_URL="+databaseURL, "DATA_DIR="+dataDir,
		"RATE_LIMITS=off", "POW=off", "SMTP_URL=smtp://"+e.sinkAddr+"?tls=none", "MAIL_CONNECTIONS=4",
		"LOG_LEVEL=warn", "METRICS_ADDR=127.0.0.1:0", "ADMIN_EMAIL=bench@example.org", "ADMIN_PASSWORD=bench-password-123")
	cmd.Env = append(cmd.Env, extraEnv...)
	logFile, err := os.Create(filepath.Join(e.dir, logName))
	if err != nil {
		return nil, "", err
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start %s: %w", e.o.binary, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		res, err := get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				log.Printf("server ready at %s (log: %s)", base, logFile.Name())
				return cmd, base, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	return nil, "", fmt.Errorf("the server was not ready within 30 s; see %s", logFile.Name())
}

func (e *benchEnv) close() {
	if e.server != nil && e.server.Process != nil {
		_ = e.server.Process.Signal(os.Interrupt)
		_ = e.server.Wait()
	}
	if e.sink != nil {
		_ = e.sink.Close()
	}
	if e.store != nil {
		_ = e.store.Close()
	}
}

// rss is the server's resident memory in MiB.
func (e *benchEnv) rss() string {
	if e.server == nil || e.server.Process == nil {
		return "?"
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", e.server.Process.Pid))
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "VmRSS:"))
		}
	}
	return "?"
}

func machine() string {
	cpu := "?"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
				break
			}
		}
	}
	return fmt.Sprintf("%d cores (%s), %s", runtime.NumCPU(), cpu, runtime.Version())
}

// get is http.Get with a context, as every request of ours should be.
func get(u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	return http.DefaultClient.Do(req)
}

// benchCipher seals the mail the bench queues itself (the server seals
// its own with its DATA_KEY; the mail measures clear the queue first).
var benchCipher = store.WithCipher(privacy.NewKeys(make([]byte, 32)).Sealer("mail"))
