package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/bnp/undersigned/server/internal/store"
)

// benchSignSQLite measures signing on an instance with the embedded SQLite
// database, beside a raw SQLite insert loop in the same run: one row per
// statement (one transaction each) into a table shaped like signatures,
// through the store's own driver settings (WAL, synchronous=normal), as
// fast as one connection goes. Goal (issue 16 goal 1): sign ≥ 1.0 × the
// raw loop.
func benchSignSQLite(ctx context.Context, e *benchEnv) ([]result, error) {
	dataDir := filepath.Join(e.dir, "sqlite-sign")
	cmd, base, err := e.launch("", dataDir, "server-sqlite-sign.log")
	if err != nil {
		return nil, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	lite, err := store.Open(ctx, "", filepath.Join(dataDir, "undersigned.db"))
	if err != nil {
		return nil, err
	}
	defer lite.Close()
	held := func() int64 {
		a, _ := lite.CountRows(ctx, "intake")
		b, _ := lite.CountRows(ctx, "signatures")
		return a + b
	}
	before := held()
	saved := e.baseURL
	e.baseURL = base
	r, err := e.wrk("sign.lua", "/api/v1/campaigns/"+slug+"/signatures")
	e.baseURL = saved
	if err != nil {
		return nil, err
	}
	stored := held() - before
	accepted := r.requests - r.non2xx
	note := fmt.Sprintf("%d accepted, %d rows stored", accepted, stored)
	if stored < accepted {
		note += ": FAIL, accepted signatures missing"
		e.failed = true
	}

	raw, err := store.Open(ctx, "", filepath.Join(e.dir, "raw-sqlite", "raw.db"))
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	if err := raw.Exec(ctx, `CREATE TABLE raw_signatures (id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL,
		email_hash TEXT NOT NULL, country TEXT NOT NULL, created_at TIMESTAMP NOT NULL)`); err != nil {
		return nil, err
	}
	if err := raw.Exec(ctx, `CREATE UNIQUE INDEX raw_signatures_key ON raw_signatures (campaign_id, email_hash)`); err != nil {
		return nil, err
	}
	start := time.Now()
	deadline := start.Add(e.o.duration)
	n := 0
	for time.Now().Before(deadline) {
		if err := raw.Exec(ctx, "INSERT INTO raw_signatures VALUES (?, 'c', ?, 'BY', ?)", uuid.NewString(), uuid.NewString(), time.Now().UTC()); err != nil {
			return nil, err
		}
		n++
	}
	rawRate := float64(n) / time.Since(start).Seconds()
	return []result{
		{"sign (POST .../signatures, SQLite)", fmt.Sprintf("%.0f/s", r.perSecond), r.p99,
			fmt.Sprintf("%s; %.2f × the raw SQLite insert loop (goal ≥ 1.0)", note, r.perSecond/rawRate)},
		{"raw SQLite insert loop (1 connection)", fmt.Sprintf("%.0f/s", rawRate), "", "one row per statement, WAL, synchronous=normal"},
	}, nil
}
