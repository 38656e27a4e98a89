package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// benchSurge drives signing and reading mixed as a crowd does (one sign
// per ten page reads) at 64, 256 and 1,024 connections, a step each, and
// reports per step the goodput and p99 of reads and of signatures and how
// many signing requests were shed with 503. Afterwards every 202 must have
// its row (in the intake or as a signature), and a signature right after
// the surge must be accepted at once. Goals (issue 16 goal 2): reads keep
// p99 < 100 ms, signing sheds with 503 + Retry-After beyond capacity,
// nothing accepted is lost, recovery at once.
func benchSurge(ctx context.Context, e *benchEnv) ([]result, error) {
	before := e.accepted(ctx)
	var results []result
	var accepted int64
	var serial atomic.Int64
	for _, conns := range []int{64, 256, 1024} {
		log.Printf("surge: %d connections for %v", conns, e.o.duration)
		s := surgeStep(e.baseURL, conns, e.o.duration, &serial)
		accepted += s.signOK
		retry := "no 503"
		if s.shed > 0 {
			retry = fmt.Sprintf("%d shed with 503 (Retry-After on %d)", s.shed, s.retryAfter)
		}
		results = append(results,
			result{fmt.Sprintf("surge %d conns: reads", conns), fmt.Sprintf("%.0f/s", s.readRate()), ms(s.readP99()),
				fmt.Sprintf("goal p99 < 100 ms; %d errors", s.readErr)},
			result{fmt.Sprintf("surge %d conns: signs", conns), fmt.Sprintf("%.0f/s", s.signRate()), ms(s.signP99()),
				fmt.Sprintf("%d accepted, %s, %d other errors", s.signOK, retry, s.signErr)})
	}
	// Recovery: the next signature after the surge is accepted at once.
	start := time.Now()
	client := &http.Client{Timeout: 30 * time.Second}
	status, _, err := surgeSign(client, e.baseURL, serial.Add(1))
	recovery := time.Since(start)
	if err != nil {
		return nil, fmt.Errorf("surge: the first signature after the surge: %w", err)
	}
	if status != http.StatusAccepted {
		return nil, fmt.Errorf("surge: the first signature after the surge answered %d", status)
	}
	accepted++
	if err := waitIntake(ctx, e.store); err != nil {
		return nil, err
	}
	stored := e.accepted(ctx) - before
	note := fmt.Sprintf("%d accepted (202), %d rows stored", accepted, stored)
	if stored < accepted {
		note += ": FAIL, accepted signatures lost"
		e.failed = true
	} else {
		note += ": none lost"
	}
	results = append(results, result{"surge: after it", "", ms(recovery), "first signature after the surge; " + note})
	return results, nil
}

// surgeStats is what one step measured.
type surgeStats struct {
	mu                       sync.Mutex
	elapsed                  time.Duration
	reads, signs             []time.Duration
	readErr, signErr         int64
	signOK, shed, retryAfter int64
}

func (s *surgeStats) readRate() float64      { return float64(len(s.reads)) / s.elapsed.Seconds() }
func (s *surgeStats) signRate() float64      { return float64(s.signOK) / s.elapsed.Seconds() }
func (s *surgeStats) readP99() time.Duration { return p99(s.reads) }
func (s *surgeStats) signP99() time.Duration { return p99(s.signs) }

func p99(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)*99/100]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// surgeStep runs conns clients for d, each sending one signature after
// every ten reads, over kept-alive connections.
func surgeStep(base string, conns int, d time.Duration, serial *atomic.Int64) *surgeStats {
	transport := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	s := &surgeStats{}
	stop := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; time.Now().Before(stop); i++ {
				t := time.Now()
				if i%11 == 10 {
					status, retry, err := surgeSign(client, base, serial.Add(1))
					took := time.Since(t)
					s.mu.Lock()
					switch {
					case err == nil && status == http.StatusAccepted:
						s.signOK++
						s.signs = append(s.signs, took)
					case err == nil && status == http.StatusServiceUnavailable:
						s.shed++
						if retry {
							s.retryAfter++
						}
					default:
						s.signErr++
					}
					s.mu.Unlock()
					continue
				}
				status, err := surgeRead(client, base)
				took := time.Since(t)
				s.mu.Lock()
				if err == nil && status == http.StatusOK {
					s.reads = append(s.reads, took)
				} else {
					s.readErr++
				}
				s.mu.Unlock()
			}
		}()
	}
	wg.Wait()
	s.elapsed = time.Since(start)
	return s
}

func surgeSign(client *http.Client, base string, n int64) (int, bool, error) {
	body := fmt.Sprintf(`{"name":"Surge Signer","email":"surge%d@example.org","country":"BY","consent":true}`, n)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, base+"/api/v1/campaigns/"+slug+"/signatures", bytes.NewReader([]byte(body)))
	if err != nil {
		return 0, false, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return 0, false, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Retry-After") != "", nil
}

func surgeRead(client *http.Client, base string) (int, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, base+"/api/v1/campaigns/"+slug, nil)
	if err != nil {
		return 0, err
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}
