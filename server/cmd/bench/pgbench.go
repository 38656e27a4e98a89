package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var tpsLine = regexp.MustCompile(`tps = ([\d.]+) \(without initial connection time\)`)

// pgbenchRun is what one pgbench run reported.
type pgbenchRun struct {
	tps      float64
	avg, p99 time.Duration
}

// benchPgbench runs PostgreSQL's own load tool with a single-row insert
// into a table shaped like signatures (text key, unique per campaign and
// address), on the same server in the same run: the ceiling the sign and
// confirm endpoints are measured against (16 clients, the goals' reference),
// and, at the bench's own connections, the latency the database itself
// gives that many clients, which is what the p99 goal is "where pgbench's
// own latency allows it" against.
func benchPgbench(ctx context.Context, e *benchEnv) ([]result, error) {
	err := e.store.Exec(ctx, `CREATE TABLE IF NOT EXISTS pgbench_signatures (
		id text PRIMARY KEY, campaign_id text NOT NULL, email_hash text NOT NULL,
		country text NOT NULL, created_at timestamp NOT NULL)`)
	if err != nil {
		return nil, err
	}
	if err := e.store.Exec(ctx, `CREATE UNIQUE INDEX IF NOT EXISTS pgbench_signatures_key ON pgbench_signatures (campaign_id, email_hash)`); err != nil {
		return nil, err
	}
	ref, err := e.pgbench(ctx, 16)
	if err != nil {
		return nil, err
	}
	wide, err := e.pgbench(ctx, e.o.connections)
	if err != nil {
		return nil, err
	}
	rs := []result{
		{"pgbench single-row insert (16 clients)", fmt.Sprintf("%.0f/s", ref.tps), ms(ref.p99), ms(ref.avg) + " avg"},
		{fmt.Sprintf("pgbench single-row insert (%d clients)", e.o.connections), fmt.Sprintf("%.0f/s", wide.tps), ms(wide.p99), ms(wide.avg) + " avg"},
	}
	// The goals, beside their same-run reference (sign and confirm run
	// before pgbench when asked for).
	if e.sign.rate > 0 {
		rs = append(rs, ratioResult("sign / pgbench (16 clients)", e.sign.rate, ref.tps, 1.0),
			result{fmt.Sprintf("sign p99 / pgbench p99, %d conn.", e.o.connections), e.sign.p99 + " / " + ms(wide.p99), "",
				"goal sign p99 < 50ms where pgbench's own p99 allows it"})
	}
	if e.confirm.rate > 0 {
		rs = append(rs, ratioResult("confirm / pgbench (16 clients)", e.confirm.rate, ref.tps, 0.8),
			result{fmt.Sprintf("confirm p99 / pgbench p99, %d conn.", e.o.connections), e.confirm.p99 + " / " + ms(wide.p99), "", ""})
	}
	return rs, nil
}

// pgbench runs the insert with clients clients for the bench's duration,
// logging every transaction, and returns its rate and latencies.
func (e *benchEnv) pgbench(ctx context.Context, clients int) (pgbenchRun, error) {
	script := filepath.Join(e.dir, "insert.sql")
	insert := "INSERT INTO pgbench_signatures VALUES (md5(random()::text || clock_timestamp()::text), 'c', md5(random()::text), 'BY', now());\n"
	if err := os.WriteFile(script, []byte(insert), 0o600); err != nil {
		return pgbenchRun{}, err
	}
	logs, err := os.MkdirTemp(e.dir, "pgbench-")
	if err != nil {
		return pgbenchRun{}, err
	}
	cmd := exec.CommandContext(ctx, "pgbench", "-n", "-c", strconv.Itoa(clients), "-j", "2", //nolint:gosec // fixed tool, our own arguments
		"-T", fmt.Sprint(int(e.o.duration.Seconds())), "-f", script, "-l", "--log-prefix", filepath.Join(logs, "tx"), e.dbURL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return pgbenchRun{}, fmt.Errorf("pgbench: %w\n%s", err, out)
	}
	m := tpsLine.FindSubmatch(out)
	if m == nil {
		return pgbenchRun{}, fmt.Errorf("pgbench printed no tps:\n%s", out)
	}
	r := pgbenchRun{}
	r.tps, _ = strconv.ParseFloat(string(m[1]), 64)
	lat, err := pgbenchLatencies(logs)
	if err != nil {
		return pgbenchRun{}, err
	}
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	if len(lat) > 0 {
		r.avg = sum / time.Duration(len(lat))
	}
	r.p99 = p99(lat)
	return r, nil
}

// pgbenchLatencies reads the transaction logs pgbench -l wrote in dir: the
// third field of each line is the transaction's time in microseconds.
func pgbenchLatencies(dir string) ([]time.Duration, error) {
	files, err := filepath.Glob(filepath.Join(dir, "tx*"))
	if err != nil {
		return nil, err
	}
	var lat []time.Duration
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 3 {
				continue
			}
			us, err := strconv.ParseInt(fields[2], 10, 64)
			if err != nil {
				continue
			}
			lat = append(lat, time.Duration(us)*time.Microsecond)
		}
		_ = f.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	return lat, nil
}
