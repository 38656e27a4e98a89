package main

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/bnp/undersigned/server/internal/seed"
	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/translog"
)

// benchTlog measures the transparency log (issue 15) on a campaign of its
// own: appending 100,000 confirmations in one batch and a 1,000-leaf batch
// on top (each against inserting the same rows raw, in the same run), the
// log's size on disk per 100,000 signatures, and the latency of an
// inclusion proof read over HTTP from the running server's tiles, as a
// client with an empty cache does.
func benchTlog(ctx context.Context, e *benchEnv) ([]result, error) {
	const leaves, small = 100000, 1000
	camp, err := seed.Demo()
	if err != nil {
		return nil, err
	}
	camp.Slug = "bench-log"
	if err := e.store.CreateCampaign(ctx, camp, &store.AuditEntry{Action: "campaign.create"}); err != nil {
		return nil, err
	}
	skey, err := os.ReadFile(filepath.Join(e.dir, "data", "log_signing_key"))
	if err != nil {
		return nil, fmt.Errorf("the server's generated log key: %w", err)
	}
	keys, err := translog.NewKeys(strings.TrimSpace(string(skey)), nil, mustURL("http://localhost:8080"))
	if err != nil {
		return nil, err
	}
	a := &translog.Appender{Store: e.store, Keys: keys}
	queue := func(n, offset int) (time.Duration, error) {
		start := time.Now()
		err := e.store.Exec(ctx, `INSERT INTO log_events (campaign_id, commitment, kind, reason, day)
			SELECT ?, md5(i::text) || md5((i + 1)::text), 'confirmed', '', '2026-12-05'
			FROM generate_series(?::bigint, ?::bigint) AS i`, camp.ID, offset, offset+n-1)
		return time.Since(start), err
	}
	insert, err := queue(leaves, 0)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if _, err := a.AppendCampaign(ctx, camp.ID, camp.Slug); err != nil {
		return nil, err
	}
	big := time.Since(start)
	bytes, err := e.store.LogStorageBytes(ctx)
	if err != nil {
		return nil, err
	}
	insertSmall, err := queue(small, 2*leaves)
	if err != nil {
		return nil, err
	}
	start = time.Now()
	if _, err := a.AppendCampaign(ctx, camp.ID, camp.Slug); err != nil {
		return nil, err
	}
	batch := time.Since(start)
	log.Printf("tlog: %d leaves appended in %v, %d more in %v; %d bytes", leaves, big, small, batch, bytes)

	p50, p99, err := proofLatency(ctx, e.baseURL+"/log/"+camp.Slug, keys.Verifier, 200)
	if err != nil {
		return nil, err
	}
	return []result{
		{"tlog: append 100,000 leaves, one batch", fmt.Sprintf("%.0f leaves/s", leaves/big.Seconds()), "",
			fmt.Sprintf("%v; %.1f× the raw insert of the same rows (%v)", big.Round(time.Millisecond), big.Seconds()/insert.Seconds(), insert.Round(time.Millisecond))},
		{"tlog: append a 1,000-leaf batch at 100,000", fmt.Sprintf("%.0f leaves/s", small/batch.Seconds()), "",
			fmt.Sprintf("%v; %.1f× the raw insert (%v)", batch.Round(time.Millisecond), batch.Seconds()/insertSmall.Seconds(), insertSmall.Round(time.Millisecond))},
		{"tlog: size on disk per 100,000 signatures", fmt.Sprintf("%.1f MB", float64(bytes)/1e6), "",
			"log_entries + log_hashes + checkpoints, indexes included (PostgreSQL)"},
		{"tlog: inclusion proof over HTTP, cold client", "", p99.Round(time.Microsecond).String(),
			fmt.Sprintf("median %v; checkpoint + tiles from the server, verified with x/mod's tlog", p50.Round(time.Microsecond))},
	}, nil
}

// proofLatency proves n random leaves included, each with a fresh client:
// fetch and check the checkpoint, then the tiles of the proof.
func proofLatency(ctx context.Context, logURL string, key note.Verifier, n int) (p50, p99 time.Duration, err error) {
	remote := &translog.Remote{URL: logURL, Key: key, HTTP: &http.Client{Timeout: 30 * time.Second}}
	times := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		_, cp, err := remote.Checkpoint(ctx)
		if err != nil {
			return 0, 0, err
		}
		f, err := torchwood.NewTileFetcher(logURL, torchwood.WithHTTPClient(remote.HTTP))
		if err != nil {
			return 0, 0, err
		}
		i := rand.Int64N(cp.N)
		hr := torchwood.TileHashReaderWithContext(ctx, cp.Tree, f)
		proof, err := tlog.ProveRecord(cp.N, i, hr)
		if err != nil {
			return 0, 0, err
		}
		leaf, err := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
		if err != nil {
			return 0, 0, err
		}
		if err := tlog.CheckRecord(proof, cp.N, cp.Hash, i, leaf[0]); err != nil {
			return 0, 0, err
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	return times[len(times)/2], times[len(times)*99/100], nil
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
