package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// Confirmations are group-committed, and still exactly once: every click
// of a link, however many arrive at once and in whichever batch, confirms
// its signature once, gives one receipt and one leaf; repeats are told
// "already confirmed"; unknown and expired links are not found; and the
// public count equals the signatures that count.
func TestConfirmSignatureExactlyOnceInBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		t.Parallel()
		ctx := context.Background()
		c := intakeCampaign(t, db)
		const pending, clicks = 40, 3
		insert := func(id, token, status string, flagged bool, expires time.Time) {
			t.Helper()
			err := db.Exec(ctx, `INSERT INTO signatures (id, campaign_id, email_hash, country, visibility, status, flagged, flag_reason,
				token_expires_at, confirm_token_hash, created_at) VALUES (?, ?, ?, 'BY', 'private', ?, ?, ?, ?, ?, ?)`,
				id, c.ID, "h-"+id, status, flagged, map[bool]string{true: "disposable email domain"}[flagged], expires, token, time.Now().UTC())
			if err != nil {
				t.Fatal(err)
			}
		}
		later := time.Now().UTC().Add(time.Hour)
		for i := range pending {
			insert(fmt.Sprint("p", i), fmt.Sprint("token-", i), store.SignaturePending, i == 0, later)
		}
		insert("expired", "token-expired", store.SignaturePending, false, time.Now().UTC().Add(-time.Minute))

		// Another connection holds the write lock until every click waits,
		// so that the repeats of one link meet in one batch and in
		// concurrent ones, whatever the machine's load.
		reader := db.Reopen(t)
		locked, release, held := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			held <- reader.InTransaction(ctx, func(tx store.Tx) error {
				lock := "LOCK TABLE signatures IN SHARE MODE"
				if db.Kind == storetest.SQLite {
					lock = "DELETE FROM signatures WHERE 1 = 0"
				}
				if err := tx.Exec(lock); err != nil {
					return err
				}
				close(locked)
				<-release
				return nil
			})
		}()
		<-locked

		type answer struct {
			token, commitment, slug string
			fresh                   bool
			err                     error
		}
		var (
			wg      sync.WaitGroup
			entered atomic.Int64
		)
		answers := make(chan answer, pending*clicks+2)
		click := func(token string, i int) {
			defer wg.Done()
			entered.Add(1)
			commitment := fmt.Sprintf("commitment-%s-%d", token, i)
			slug, fresh, err := db.ConfirmSignature(ctx, token, commitment)
			answers <- answer{token, commitment, slug, fresh, err}
		}
		n := 0
		for k := range clicks {
			for i := range pending {
				wg.Add(1)
				n++
				go click(fmt.Sprint("token-", i), k)
			}
		}
		wg.Add(2)
		n += 2
		go click("token-expired", 0)
		go click("token-unknown", 0)
		for last, deadline := -1, time.Now().Add(10*time.Second); time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
			waiting := db.ConfirmsWaiting()
			if entered.Load() == int64(n) && waiting == last {
				break
			}
			last = waiting
		}
		close(release)
		if err := <-held; err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		close(answers)

		freshBy := map[string]string{}
		for a := range answers {
			switch a.token {
			case "token-expired", "token-unknown":
				if !errors.Is(a.err, store.ErrNotFound) {
					t.Errorf("%s: %v, want not found", a.token, a.err)
				}
				continue
			}
			if a.err != nil || a.slug != c.Slug {
				t.Fatalf("%s: slug %q, %v", a.token, a.slug, a.err)
			}
			if a.fresh {
				if _, twice := freshBy[a.token]; twice {
					t.Fatalf("%s confirmed fresh twice", a.token)
				}
				freshBy[a.token] = a.commitment
			}
		}
		if len(freshBy) != pending {
			t.Fatalf("%d of %d links confirmed fresh", len(freshBy), pending)
		}
		for token, commitment := range freshBy {
			if got := countWhere(t, db, "signatures", "confirm_token_hash = ? AND status = 'confirmed' AND receipt_commitment = ?", token, commitment); got != 1 {
				t.Fatalf("%s: the stored commitment is not the fresh answer's", token)
			}
		}
		if got := countWhere(t, db, "log_events", "kind = 'confirmed'"); got != pending {
			t.Fatalf("%d confirmation leaves for %d confirmations", got, pending)
		}
		if got := countWhere(t, db, "log_events", "kind = 'invalidated' AND reason = ?", store.ReasonDisposableDomain); got != 1 {
			t.Fatalf("%d removal leaves (disposable_domain) for 1 flagged signature", got)
		}
		if got := countWhere(t, db, "signatures", "status = 'pending'"); got != 1 {
			t.Fatalf("%d pending, want only the expired one", got)
		}
		shown, err := db.SignatureCount(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		counted, err := db.CountedSignatures(ctx, c.ID)
		if err != nil || shown != counted || shown != pending-1 {
			t.Fatalf("public count %d, counted signatures %d (%v), want %d", shown, counted, err, pending-1)
		}
		requests, commits := db.ConfirmStats()
		if requests != int64(n) || commits > int64(n)/4 {
			t.Fatalf("%d confirmations in %d commits: nothing was grouped", requests, commits)
		}
		t.Logf("%d confirmations in %d commits", requests, commits)
	})
}
