package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bnp/undersigned/server/internal/auth"
	"github.com/bnp/undersigned/server/internal/store"
)

// benchMemory measures the server's resident memory under bursts of
// argon2id work (issue 11, hole 4): 64 concurrent logins, then 64
// concurrent password-reset confirms with live tokens plus 64 with bogus ones. The
// reference is the server's own RSS just before, in the same run; the goal
// is a peak below that plus auth.MaxConcurrentHashes × 19 MiB and a little
// for the requests themselves, however many arrive.
func benchMemory(ctx context.Context, e *benchEnv) ([]result, error) {
	if e.server == nil || e.server.Process == nil {
		return nil, fmt.Errorf("the server is not running (run memory before mail and digest)")
	}
	u, err := e.store.UserByEmail(ctx, "bench@example.org")
	if err != nil {
		return nil, fmt.Errorf("bench admin: %w", err)
	}
	// One account per live token: a reset spends every other token of its
	// account, so tokens of one account would mostly be refused unhashed.
	tokens := make([]string, 64)
	for i := range tokens {
		acct := store.User{Email: fmt.Sprintf("reset%02d@example.org", i), PasswordHash: u.PasswordHash, Role: store.RoleViewer}
		if err := e.store.CreateUser(ctx, &acct, nil); err != nil {
			return nil, fmt.Errorf("bench account: %w", err)
		}
		token, hash := auth.NewToken()
		tokens[i] = token
		if err := e.store.Exec(ctx, "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
			hash, acct.ID, time.Now().UTC(), time.Now().UTC().Add(time.Hour)); err != nil {
			return nil, err
		}
	}
	ceiling := float64(auth.MaxConcurrentHashes * 19)
	var results []result
	// The reference: the idle server's RSS, before any burst. Go returns
	// freed memory to the system slowly, so the second burst starts higher;
	// both are reported against the same idle figure.
	base := e.rssKiB()
	burst := func(name string, bodies []any, path string) error {
		stop, peak := e.sampleRSS()
		start := time.Now()
		var wg sync.WaitGroup
		var failed atomic.Int64
		for _, b := range bodies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := postJSON(e.baseURL+path, b); err != nil {
					failed.Add(1)
				}
			}()
		}
		wg.Wait()
		took := time.Since(start)
		stop()
		grew := float64(peak()-base) / 1024
		note := fmt.Sprintf("RSS idle %.0f MiB, peak %.0f MiB (+%.0f; argon2id alone may hold %d × 19 = %.0f MiB); %v", float64(base)/1024,
			float64(peak())/1024, grew, auth.MaxConcurrentHashes, ceiling, took.Round(time.Millisecond))
		if failed.Load() > 0 {
			note += fmt.Sprintf("; %d requests failed", failed.Load())
		}
		results = append(results, result{name, fmt.Sprintf("+%.2f × %.0f MiB", grew/ceiling, ceiling), "", note})
		return nil
	}
	var logins []any
	for i := 0; i < 64; i++ {
		logins = append(logins, map[string]string{"email": "bench@example.org", "password": "wrong password " + strconv.Itoa(i)})
	}
	if err := burst("memory: 64 concurrent logins", logins, "/api/v1/auth/login"); err != nil {
		return nil, err
	}
	var resets []any
	for i, t := range tokens {
		resets = append(resets, map[string]string{"token": t, "password": "a new password " + strconv.Itoa(i)})
		resets = append(resets, map[string]string{"token": "bogus-" + strconv.Itoa(i), "password": "a new password " + strconv.Itoa(i)})
	}
	if err := burst("memory: 128 concurrent reset confirms", resets, "/api/v1/auth/password-reset/confirm"); err != nil {
		return nil, err
	}
	return results, nil
}

// rssKiB is the server's resident memory in KiB (0 when unknown).
func (e *benchEnv) rssKiB() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", e.server.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// sampleRSS samples the server's RSS every 5 ms until stop is called.
func (e *benchEnv) sampleRSS() (stop func(), peak func() int64) {
	var highest atomic.Int64
	highest.Store(e.rssKiB())
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			if v := e.rssKiB(); v > highest.Load() {
				highest.Store(v)
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() { close(done); <-finished }, highest.Load
}

func postJSON(u string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, u, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode >= 500 {
		return fmt.Errorf("status %d", res.StatusCode)
	}
	return nil
}
