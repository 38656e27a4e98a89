package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// Readiness stays stable when the pool is exhausted: probes answer at once
// from the last check, and only one of them waits on the database.
func TestReadyIsCheapAndStableUnderLoad(t *testing.T) {
	for _, kind := range storetest.Kinds(t) {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			db := storetest.NewWith(t, kind, store.Options{MaxOpenConns: 1})
			ctx := context.Background()
			if err := db.Ready(ctx); err != nil {
				t.Fatal(err)
			}
			release, err := db.HoldWrites(ctx, "campaigns") // holds the pool's one connection
			if err != nil {
				t.Fatal(err)
			}
			defer release()
			time.Sleep(2100 * time.Millisecond) // past readyFresh: the next probe checks again
			var wg sync.WaitGroup
			slow := make(chan time.Duration, 50)
			for range 50 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					start := time.Now()
					if err := db.Ready(ctx); err != nil {
						t.Errorf("a busy but healthy database was reported down: %v", err)
					}
					if d := time.Since(start); d > 500*time.Millisecond {
						slow <- d
					}
				}()
			}
			wg.Wait()
			close(slow)
			if len(slow) > 1 {
				t.Fatalf("%d of 50 probes waited on the database, want at most the one that checks", len(slow))
			}
		})
	}
}
