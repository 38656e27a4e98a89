package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"math"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/bnp/undersigned/server/internal/store"
)

// timingPairs is how many interleaved pairs of requests (one with a known
// address, one with an unknown one) each timing measure sends (300 unless
// -timing-pairs says otherwise), after timingWarmup pairs that are not
// counted.
var timingPairs = 300

const timingWarmup = 30

// timingTarget is one server under measure.
type timingTarget struct {
	name  string
	base  string
	store *store.Store
}

// probe is one public request whose answer must take the same time whether
// or not the address is known.
type probe struct {
	name    string
	prepare func(ctx context.Context, t timingTarget) error
	// request is the i-th request with the known or an unknown address.
	request func(known bool, i int) (path, body string)
}

// benchTiming measures, on PostgreSQL and SQLite, whether sign, endorse,
// password reset and login take longer for a known address than for an
// unknown one: the median difference and the Mann-Whitney z of 300
// interleaved pairs. Goal (issue 11): |z| < 3 and |difference| < 0.2 ms.
func benchTiming(ctx context.Context, e *benchEnv) ([]result, error) {
	dataDir := filepath.Join(e.dir, "sqlite")
	cmd, base, err := e.launch("", dataDir, "server-sqlite.log")
	if err != nil {
		return nil, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	lite, err := store.Open(ctx, "", filepath.Join(dataDir, "undersigned.db"))
	if err != nil {
		return nil, err
	}
	defer lite.Close()
	var results []result
	// -timing-only names probes and stores; a kind not named is not limited.
	only := map[string]bool{}
	for _, w := range strings.Split(e.o.timingOnly, ",") {
		if w = strings.TrimSpace(w); w != "" {
			only[w] = true
		}
	}
	targets := []timingTarget{{"PostgreSQL", e.baseURL, e.store}, {"SQLite", base, lite}}
	wanted := func(name string, all []string) bool {
		for _, a := range all {
			if only[a] {
				return only[name]
			}
		}
		return true
	}
	var storeNames, probeNames []string
	for _, t := range targets {
		storeNames = append(storeNames, t.name)
	}
	for _, p := range probes() {
		probeNames = append(probeNames, p.name)
	}
	for _, t := range targets {
		if !wanted(t.name, storeNames) {
			continue
		}
		for _, p := range probes() {
			if !wanted(p.name, probeNames) {
				continue
			}
			if err := p.prepare(ctx, t); err != nil {
				return nil, fmt.Errorf("timing %s on %s: %w", p.name, t.name, err)
			}
			known, unknown, err := measurePairs(t.base, p)
			if err != nil {
				return nil, fmt.Errorf("timing %s on %s: %w", p.name, t.name, err)
			}
			diff := median(known) - median(unknown)
			z := mannWhitneyZ(known, unknown)
			verdict := "ok"
			if math.Abs(z) >= 3 || math.Abs(diff) >= 0.2 {
				verdict = "MISSED"
			}
			log.Printf("timing %s, %s: median known %.3f ms, unknown %.3f ms, z %.2f", p.name, t.name, median(known), median(unknown), z)
			results = append(results, result{
				name: fmt.Sprintf("timing %s, %s", p.name, t.name),
				rate: fmt.Sprintf("Δ %+.3f ms", diff),
				p99:  fmt.Sprintf("z %+.2f", z),
				note: fmt.Sprintf("%s (goal |z| < 3, |Δ| < 0.2 ms); medians %.3f / %.3f ms, %d pairs", verdict, median(known), median(unknown), timingPairs),
			})
			if err := waitIntake(ctx, t.store); err != nil {
				return nil, err
			}
		}
	}
	return results, nil
}

const knownSigner, knownContact, knownOrg, staffEmail = "known.signer@example.org", "known.contact@example.org", "Known Organisation", "bench@example.org"

func probes() []probe {
	return []probe{
		{
			name: "sign",
			// The known address has signed and confirmed.
			prepare: func(ctx context.Context, t timingTarget) error {
				if err := post(t.base, "/api/v1/campaigns/"+slug+"/signatures", signJSON(knownSigner)); err != nil {
					return err
				}
				if err := waitIntake(ctx, t.store); err != nil {
					return err
				}
				return t.store.Exec(ctx, "UPDATE signatures SET status = 'confirmed', confirmed_at = created_at")
			},
			request: func(known bool, i int) (string, string) {
				addr := knownSigner
				if !known {
					addr = fmt.Sprintf("unknown.signer.%d@example.org", i)
				}
				return "/api/v1/campaigns/" + slug + "/signatures", signJSON(addr)
			},
		},
		{
			name: "endorse",
			// The known organisation and contact have a pending endorsement.
			prepare: func(ctx context.Context, t timingTarget) error {
				if err := post(t.base, "/api/v1/campaigns/"+slug+"/endorsements", endorseJSON(knownOrg, knownContact)); err != nil {
					return err
				}
				return waitIntake(ctx, t.store)
			},
			request: func(known bool, i int) (string, string) {
				if known {
					return "/api/v1/campaigns/" + slug + "/endorsements", endorseJSON(knownOrg, knownContact)
				}
				return "/api/v1/campaigns/" + slug + "/endorsements",
					endorseJSON(fmt.Sprintf("Unknown Organisation %d", i), fmt.Sprintf("unknown.contact.%d@example.org", i))
			},
		},
		{
			name:    "password reset",
			prepare: func(context.Context, timingTarget) error { return nil },
			request: func(known bool, i int) (string, string) {
				addr := staffEmail
				if !known {
					addr = fmt.Sprintf("unknown.staff.%d@example.org", i)
				}
				return "/api/v1/auth/password-reset", fmt.Sprintf(`{"email":%q}`, addr)
			},
		},
		{
			name:    "login",
			prepare: func(context.Context, timingTarget) error { return nil },
			// A wrong password for a known account against an unknown account.
			request: func(known bool, i int) (string, string) {
				addr := staffEmail
				if !known {
					addr = fmt.Sprintf("unknown.staff.%d@example.org", i)
				}
				return "/api/v1/auth/login", fmt.Sprintf(`{"email":%q,"password":"not the password"}`, addr)
			},
		},
		{
			name:    "login control",
			prepare: func(context.Context, timingTarget) error { return nil },
			// Two unknown addresses: what the measure gives when there is
			// no difference at all, the noise floor of the login row.
			request: func(known bool, i int) (string, string) {
				addr := fmt.Sprintf("unknown.staff.%d@example.org", i)
				if known {
					addr = fmt.Sprintf("other.staff.%d@example.org", i)
				}
				return "/api/v1/auth/login", fmt.Sprintf(`{"email":%q,"password":"not the password"}`, addr)
			},
		},
	}
}

func signJSON(addr string) string {
	return fmt.Sprintf(`{"name":"Timing Signer","email":%q,"country":"BY","consent":true}`, addr)
}

func endorseJSON(org, contact string) string {
	return fmt.Sprintf(`{"organization":%q,"org_type":"ngo","country":"LT","contact_name":"Maryna Kontakt","contact_email":%q}`, org, contact)
}

// measurePairs sends the pairs over one kept-alive connection, known first
// in even pairs and unknown first in odd ones, and returns each side's
// times in milliseconds.
func measurePairs(base string, p probe) (known, unknown []float64, err error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	for i := range timingWarmup + timingPairs {
		order := []bool{true, false}
		if i%2 == 1 {
			order = []bool{false, true}
		}
		for _, k := range order {
			path, body := p.request(k, i)
			d, err := timed(client, base+path, body)
			if err != nil {
				return nil, nil, err
			}
			if i < timingWarmup {
				continue
			}
			if k {
				known = append(known, d)
			} else {
				unknown = append(unknown, d)
			}
		}
	}
	return known, unknown, nil
}

// timed sends one POST and returns the time to the end of its answer, in
// milliseconds; any answer but the expected 2xx or 401 is an error.
func timed(client *http.Client, url, body string) (float64, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, bytes.NewReader([]byte(body)))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	d := time.Since(start)
	if res.StatusCode >= 300 && res.StatusCode != http.StatusUnauthorized {
		return 0, fmt.Errorf("POST %s answered %d", url, res.StatusCode)
	}
	return float64(d.Microseconds()) / 1000, nil
}

func post(base, path, body string) error {
	client := &http.Client{Timeout: 30 * time.Second}
	_, err := timed(client, base+path, body)
	return err
}

// waitIntake waits until the intake worker has handled every request.
func waitIntake(ctx context.Context, st *store.Store) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		n, err := st.CountRows(ctx, "intake")
		if err != nil || n == 0 {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d intake entries still waiting after a minute", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// mannWhitneyZ is the normal approximation of the Mann-Whitney U test of
// a against b, with ranks averaged over ties and the variance corrected
// for them: positive when a tends to be larger. Written out here (it is
// short) rather than adding a statistics module to the build.
func mannWhitneyZ(a, b []float64) float64 {
	type obs struct {
		v     float64
		fromA bool
	}
	all := make([]obs, 0, len(a)+len(b))
	for _, v := range a {
		all = append(all, obs{v, true})
	}
	for _, v := range b {
		all = append(all, obs{v, false})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v < all[j].v })
	n1, n2 := float64(len(a)), float64(len(b))
	n := n1 + n2
	var rankA, ties float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		rank := float64(i+j+1) / 2 // ranks i+1 … j, averaged
		for k := i; k < j; k++ {
			if all[k].fromA {
				rankA += rank
			}
		}
		t := float64(j - i)
		ties += t*t*t - t
		i = j
	}
	u := rankA - n1*(n1+1)/2
	sigma := math.Sqrt(n1 * n2 / 12 * ((n + 1) - ties/(n*(n-1))))
	if sigma == 0 {
		return 0
	}
	return (u - n1*n2/2) / sigma
}
