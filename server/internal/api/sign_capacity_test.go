package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// Past the intake's capacity (its database stalled), signing answers 503
// with Retry-After at once instead of queueing without bound; the requests
// it took are answered 202 once their row commits, and none is lost.
func TestSignPastCapacityAnswers503(t *testing.T) {
	for _, kind := range storetest.Kinds(t) {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			db := storetest.NewWith(t, kind, store.Options{IntakeQueue: 1, IntakeWriters: 1})
			// Limits off: on SQLite their counters would wait on the same
			// stalled write lock before the intake is reached.
			e := newEnv(t, db, func(c *config.Config) { c.RateLimits = false })
			// The day's IP salt is written on first use: write it before the
			// stall, or on SQLite the requests would wait for it, not the intake.
			e.send("POST", demo+"/signatures", "", signBody("Early Signer", "early@example.org")).wantStatus(t, 202)
			e.settle()
			release, err := db.HoldWrites(context.Background(), "intake")
			if err != nil {
				t.Fatal(err)
			}
			defer release()
			statuses := make(chan int, 10)
			var refused response
			launched := 0
			for i := 0; refused.Status == 0; i++ {
				if i == 10 {
					t.Fatal("10 signing requests against a stalled intake of capacity 1, none refused")
				}
				// Each request in a goroutine of its own: the accepted ones wait
				// for their commit; the refusal comes back at once.
				launched++
				go func() {
					statuses <- e.send("POST", demo+"/signatures", "", signBody("Queued Signer", "queued"+string(rune('a'+i))+"@example.org")).Status
				}()
				select {
				case st := <-statuses:
					if st != 503 {
						t.Fatalf("a request answered %d while the intake was stalled", st)
					}
					start := time.Now()
					refused = e.send("POST", demo+"/signatures", "", signBody("Late Signer", "late@example.org"))
					if d := time.Since(start); d > 2*time.Second {
						t.Fatalf("the refusal took %v", d)
					}
				case <-time.After(100 * time.Millisecond): // this one waits: send another
				}
			}
			refused.wantError(t, 503, "unavailable")
			if refused.Header.Get("Retry-After") == "" {
				t.Fatal("503 without Retry-After")
			}
			release()
			// The others were taken and answer 202 now; on a busy machine one
			// may have reached the full intake only after a later one, and
			// been refused at once: it is not stored.
			accepted := 0
			for range launched - 1 {
				select {
				case st := <-statuses:
					switch st {
					case 202:
						accepted++
					case 503:
					default:
						t.Fatalf("a waiting request answered %d once the database came back", st)
					}
				case <-time.After(15 * time.Second):
					t.Fatal("the requests the intake took were never answered")
				}
			}
			if accepted == 0 {
				t.Fatal("no waiting request was accepted once the database came back")
			}
			e.settle()
			if n := e.count("signatures"); n != int64(accepted)+1 {
				t.Fatalf("%d signatures for %d accepted requests", n, accepted)
			}
		})
	}
}
