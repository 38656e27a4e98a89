package main

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

//go:embed *.lua
var scripts embed.FS

// wrkResult is what one wrk run reported.
type wrkResult struct {
	requests   int64
	non2xx     int64
	errors     string
	perSecond  float64
	p50, p99   string
	rawSummary string
}

var (
	reqsLine   = regexp.MustCompile(`(\d+) requests in`)
	rateLine   = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	non2xxLine = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	errorsLine = regexp.MustCompile(`Socket errors: (.*)`)
	p50Line    = regexp.MustCompile(`\s50%\s+(\S+)`)
	p99Line    = regexp.MustCompile(`\s99%\s+(\S+)`)
)

// wrk runs one load with a script (empty: plain GET) against path.
func (e *benchEnv) wrk(script, path string, env ...string) (wrkResult, error) {
	args := []string{"-t", strconv.Itoa(e.o.threads), "-c", strconv.Itoa(e.o.connections),
		"-d", e.o.duration.String(), "--latency", "--timeout", "10s"}
	if script != "" {
		b, err := scripts.ReadFile(script)
		if err != nil {
			return wrkResult{}, err
		}
		file := filepath.Join(e.dir, script)
		if err := os.WriteFile(file, b, 0o600); err != nil {
			return wrkResult{}, err
		}
		args = append(args, "-s", file)
	}
	args = append(args, e.baseURL+path)
	cmd := exec.CommandContext(context.Background(), "wrk", args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %w\n%s", err, out.String())
	}
	s := out.String()
	r := wrkResult{rawSummary: s}
	if m := reqsLine.FindStringSubmatch(s); m != nil {
		r.requests, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m := rateLine.FindStringSubmatch(s); m != nil {
		r.perSecond, _ = strconv.ParseFloat(m[1], 64)
	}
	if m := non2xxLine.FindStringSubmatch(s); m != nil {
		r.non2xx, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m := errorsLine.FindStringSubmatch(s); m != nil {
		r.errors = strings.TrimSpace(m[1])
	}
	if m := p50Line.FindStringSubmatch(s); m != nil {
		r.p50 = m[1]
	}
	if m := p99Line.FindStringSubmatch(s); m != nil {
		r.p99 = m[1]
	}
	return r, nil
}
