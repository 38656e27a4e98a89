package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// intakeCampaign creates an open campaign for intake tests.
func intakeCampaign(t *testing.T, db storetest.DB) store.Campaign {
	t.Helper()
	c := store.Campaign{Slug: "intake", Title: "Intake", Language: "en", Status: store.StatusOpen, RetentionDays: 90}
	if err := db.CreateCampaign(context.Background(), &c, nil); err != nil {
		t.Fatal(err)
	}
	return c
}

// decideByPayload reads a test payload "address|visibility" into an intent:
// the address stands for its own hash, and each email names its kind.
func decideByPayload(e store.IntakeEntry) (store.Intent, error) {
	addr, vis, ok := strings.Cut(e.Payload, "|")
	if !ok {
		return nil, errors.New("unreadable")
	}
	confirm, withdraw := "c-"+e.ID, "w-"+e.ID
	name := "Name of " + addr
	return store.SignIntent{
		Signature: &store.Signature{CampaignID: *e.CampaignID, EmailHash: addr, Name: &name, Country: "BY", Visibility: vis,
			ConfirmTokenHash: &confirm, WithdrawTokenHash: &withdraw, TokenExpiresAt: time.Now().UTC().Add(time.Hour)},
		Confirm: store.Mail{Kind: "signature_confirm", Recipient: addr, Params: []byte(`{}`)},
		Already: store.Mail{Kind: "signature_already", Recipient: addr, Params: []byte(`{}`)},
	}, nil
}

// accept accepts a test payload, its address as its order key.
func accept(t *testing.T, db *store.Store, campaignID, payload string) {
	t.Helper()
	addr, _, _ := strings.Cut(payload, "|")
	if err := db.AcceptIntake(context.Background(), store.IntakeSignature, campaignID, addr, payload); err != nil {
		t.Fatal(err)
	}
}

func process(t *testing.T, db *store.Store) store.IntakeResult {
	t.Helper()
	res, err := db.ProcessIntake(context.Background(), 100, decideByPayload)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func countWhere(t *testing.T, db storetest.DB, table, cond string, args ...any) int64 {
	t.Helper()
	n, err := db.CountWhere(context.Background(), table, cond, args...)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The intake worker's decisions: new, pending duplicate (new links, the
// unsent email with dead links deleted), confirmed duplicate (an email of
// its own with a new withdrawal link), each bounded by MaxResends, and an
// unreadable entry dropped; every entry gone afterwards.
func TestProcessIntakeDecides(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		t.Parallel()
		ctx := context.Background()
		c := intakeCampaign(t, db)
		accept(t, db.Store, c.ID, "new@example.org|private")
		accept(t, db.Store, c.ID, "garbage")
		if res := process(t, db.Store); res.Created != 1 || res.Dropped != 1 || len(res.Errors) != 1 {
			t.Fatalf("first batch: %+v", res)
		}
		var sigID string
		sigs, err := db.SearchSignatures(ctx, c.ID, store.SignatureFilter{}, "", 10)
		if err == nil && len(sigs) == 1 {
			sigID = sigs[0].ID
		}
		if n := countWhere(t, db, "mail_messages", "ref = ? AND kind = 'signature_confirm' AND status = 'queued'", sigID); sigID == "" || n != 1 {
			t.Fatalf("the confirmation email is not queued under the signature's id (%q, %d, %v)", sigID, n, err)
		}

		// Pending duplicate: details and links replaced, one email queued.
		accept(t, db.Store, c.ID, "new@example.org|public")
		if res := process(t, db.Store); res.Resent != 1 {
			t.Fatalf("pending duplicate: %+v", res)
		}
		if n := countWhere(t, db, "signatures", "visibility = 'public'"); n != 1 {
			t.Fatal("a pending duplicate did not take the new details")
		}
		if n := countWhere(t, db, "mail_messages", "ref = ? AND status = 'queued'", sigID); n != 1 {
			t.Fatalf("%d queued emails for the signature, want only the newest", n)
		}

		// Confirmed duplicate: an "already signed" email, a new withdrawal hash.
		if err := db.Exec(ctx, "UPDATE signatures SET status = 'confirmed', confirmed_at = created_at"); err != nil {
			t.Fatal(err)
		}
		if err := db.Exec(ctx, "UPDATE mail_messages SET status = 'sent'"); err != nil {
			t.Fatal(err)
		}
		accept(t, db.Store, c.ID, "new@example.org|initials")
		res := process(t, db.Store)
		if res.Already != 1 {
			t.Fatalf("confirmed duplicate: %+v", res)
		}
		if n := countWhere(t, db, "mail_messages", "ref = ? AND kind = 'signature_already' AND status = 'queued'", sigID); n != 1 {
			t.Fatal("no already-signed email queued")
		}
		if n := countWhere(t, db, "signatures", "visibility = 'public' AND withdraw_token_hash LIKE 'w-%' AND withdraw_token_hash <> confirm_token_hash"); n != 1 {
			t.Fatal("a confirmed duplicate changed the signature's details")
		}

		// MaxResends bounds the emails one signature causes.
		accept(t, db.Store, c.ID, "new@example.org|private")
		accept(t, db.Store, c.ID, "new@example.org|private")
		if res := process(t, db.Store); res.Already != 1 || res.Unchanged != 1 {
			t.Fatalf("past MaxResends: %+v", res)
		}
		if n := countWhere(t, db, "intake", "1=1"); n != 0 {
			t.Fatalf("%d intake entries left", n)
		}
		if n := countWhere(t, db, "signatures", "1=1"); n != 1 {
			t.Fatalf("%d signatures, want 1", n)
		}
	})
}

// Renewals of one address are applied in the order they were accepted,
// whichever worker takes them: a renewal that another worker holds (on
// PostgreSQL, SKIP LOCKED skips it) or that decide puts off keeps the
// later ones of its address waiting, while other addresses go on. Out of
// order, the earlier request's details and links would win.
func TestProcessIntakeKeepsTheOrderOfAnAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		t.Parallel()
		ctx := context.Background()
		c := intakeCampaign(t, db)
		accept(t, db.Store, c.ID, "x@example.org|private")
		if res := process(t, db.Store); res.Created != 1 {
			t.Fatalf("first batch: %+v", res)
		}
		visibility := func(want string) {
			t.Helper()
			if n := countWhere(t, db, "signatures", "email_hash = ? AND visibility = ?", "x@example.org", want); n != 1 {
				t.Fatalf("the signature's details are not those of the %s request", want)
			}
		}

		// decide puts the earlier renewal off: the later one waits.
		accept(t, db.Store, c.ID, "x@example.org|initials")
		accept(t, db.Store, c.ID, "x@example.org|public")
		accept(t, db.Store, c.ID, "y@example.org|private")
		putOff := true
		res, err := db.ProcessIntake(ctx, 100, func(e store.IntakeEntry) (store.Intent, error) {
			if putOff && strings.HasSuffix(e.Payload, "|initials") {
				return nil, store.ErrRetryLater
			}
			return decideByPayload(e)
		})
		if err != nil || res.Taken() != 1 || res.Created != 1 {
			t.Fatalf("batch with a renewal put off: %+v, %v; want only the other address handled", res, err)
		}
		visibility(store.VisibilityPrivate)
		putOff = false
		if res := process(t, db.Store); res.Resent != 2 {
			t.Fatalf("after the put-off renewal: %+v", res)
		}
		visibility(store.VisibilityPublic)

		if db.Kind != storetest.Postgres {
			return
		}
		// Another worker holds the earlier renewal: this one leaves the
		// later one, and takes it once the other is done.
		accept(t, db.Store, c.ID, "x@example.org|initials")
		accept(t, db.Store, c.ID, "x@example.org|private")
		held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			done <- db.InTransaction(ctx, func(tx store.Tx) error {
				if err := tx.Exec("SELECT id FROM intake ORDER BY id LIMIT 1 FOR UPDATE"); err != nil {
					return err
				}
				close(held)
				<-release
				return nil
			})
		}()
		<-held
		res = process(t, db.Store)
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if res.Taken() != 0 || countWhere(t, db, "intake", "1=1") != 2 {
			t.Fatalf("a later renewal was handled while another worker held the earlier one: %+v", res)
		}
		if res := process(t, db.Store); res.Resent != 1 || res.Unchanged != 1 {
			t.Fatalf("after the other worker: %+v (MaxResends allows one more)", res)
		}
		visibility(store.VisibilityInitials)
	})
}

// A batch that fails midway leaves every one of its entries, and none of
// its effects: an entry is deleted only in the transaction that acted on it.
func TestProcessIntakeIsAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		t.Parallel()
		c := intakeCampaign(t, db)
		accept(t, db.Store, c.ID, "a@example.org|private")
		accept(t, db.Store, c.ID, "b@example.org|no-such-tier") // breaks a CHECK constraint
		if _, err := db.ProcessIntake(context.Background(), 100, decideByPayload); err == nil {
			t.Fatal("a batch with a failing write succeeded")
		}
		if n := countWhere(t, db, "intake", "1=1"); n != 2 {
			t.Fatalf("%d intake entries left after a failed batch, want 2", n)
		}
		if n := countWhere(t, db, "signatures", "1=1") + countWhere(t, db, "mail_messages", "1=1"); n != 0 {
			t.Fatalf("a failed batch left %d rows behind", n)
		}
	})
}

// Two instances' workers and many concurrent requests, with the same
// addresses in each other's batches: every request is handled exactly once
// and each address signs once, without deadlock.
func TestProcessIntakeWithTwoInstances(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		t.Parallel()
		c := intakeCampaign(t, db)
		other := db.Reopen(t)
		const requests, addresses = 300, 40
		var wg sync.WaitGroup
		errs := make(chan error, requests)
		for i := range requests {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st := db.Store
				if i%2 == 1 {
					st = other
				}
				addr := fmt.Sprintf("a%02d@example.org", (i*7)%addresses)
				errs <- st.AcceptIntake(context.Background(), store.IntakeSignature, c.ID, addr, addr+"|private")
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := countWhere(t, db, "intake", "1=1"); n != requests {
			t.Fatalf("%d intake entries after %d accepted requests", n, requests)
		}
		var mu sync.Mutex
		var total store.IntakeResult
		for _, st := range []*store.Store{db.Store, other, db.Store, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					res, err := st.ProcessIntake(context.Background(), 16, decideByPayload)
					if err != nil {
						t.Error(err)
						return
					}
					if res.Taken() == 0 {
						return
					}
					mu.Lock()
					total.Created += res.Created
					total.Resent += res.Resent
					total.Already += res.Already
					total.Unchanged += res.Unchanged
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if total.Taken() != requests || total.Created != addresses {
			t.Fatalf("handled %+v, want %d requests and %d new signatures", total, requests, addresses)
		}
		if n := countWhere(t, db, "signatures", "1=1"); n != addresses {
			t.Fatalf("%d signatures, want %d", n, addresses)
		}
		if n := countWhere(t, db, "intake", "1=1"); n != 0 {
			t.Fatalf("%d intake entries left", n)
		}
	})
}

// Requests that arrive together share one statement and one commit, and
// each returns only once its row is committed.
func TestAcceptSignatureGroupCommits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		t.Parallel()
		c := intakeCampaign(t, db)
		const n = 200
		reader := db.Reopen(t) // another instance's connections
		var wg sync.WaitGroup
		errs := make(chan error, n)
		// Another connection holds the intake's write lock until every
		// request waits: started one by one, each could otherwise be
		// written before the next one exists, and grouping would depend on
		// the machine's load.
		locked, release, held := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			held <- reader.InTransaction(context.Background(), func(tx store.Tx) error {
				lock := "LOCK TABLE intake IN SHARE MODE"
				if db.Kind == storetest.SQLite {
					lock = "DELETE FROM intake WHERE 1 = 0" // takes SQLite's one write lock
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
		start := make(chan struct{})
		var entered atomic.Int64
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				entered.Add(1)
				err := db.AcceptIntake(context.Background(), store.IntakeSignature, c.ID, "sealed", "sealed|private")
				if err == nil {
					// Committed before it returned: visible to another connection.
					if got, cerr := reader.CountRows(context.Background(), "intake"); cerr != nil || got < 1 {
						err = fmt.Errorf("AcceptIntake returned before its row was visible (%d): %w", got, cerr)
					}
				}
				errs <- err
			}()
		}
		close(start)
		// Every request is queued, or taken by a writer that waits on the
		// lock: all have entered, and the queue no longer grows.
		for last, deadline := -1, time.Now().Add(10*time.Second); time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
			waiting := db.IntakeWaiting()
			if entered.Load() == n && waiting == last {
				break
			}
			last = waiting
		}
		close(release)
		if err := <-held; err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := countWhere(t, db, "intake", "1=1"); got != n {
			t.Fatalf("%d rows for %d accepted requests", got, n)
		}
		requests, commits := db.IntakeStats()
		if requests != n || commits > n/10 {
			t.Fatalf("%d requests in %d commits: nothing was grouped", requests, commits)
		}
		t.Logf("%d requests in %d commits", requests, commits)
	})
}

// Withdrawal, and the expiry of an unconfirmed signature, delete the email
// about it that is still queued (address, name, links), and only that one.
// Messages are found by ref, the signature's id, not by recipient, which
// is encrypted at rest.
func TestWithdrawalAndExpiryDeleteQueuedMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		t.Parallel()
		ctx := context.Background()
		c := intakeCampaign(t, db)
		for _, addr := range []string{"withdrawn@example.org", "expired@example.org", "kept@example.org"} {
			accept(t, db.Store, c.ID, addr+"|private")
		}
		if res := process(t, db.Store); res.Created != 3 {
			t.Fatalf("process: %+v", res)
		}
		sigs, err := db.SearchSignatures(ctx, c.ID, store.SignatureFilter{}, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		ids, withdraw := map[string]string{}, ""
		for _, s := range sigs {
			ids[s.EmailHash] = s.ID
			if s.EmailHash == "withdrawn@example.org" {
				withdraw = *s.WithdrawTokenHash
			}
		}
		queued := func(addr string) int64 {
			t.Helper()
			return countWhere(t, db, "mail_messages", "status = 'queued' AND ref = ?", ids[addr])
		}
		for addr := range ids {
			if queued(addr) != 1 {
				t.Fatalf("no queued email for %s to begin with", addr)
			}
		}
		// Messages a worker holds right now are deleted too.
		if _, err := db.ClaimMail(ctx, "worker", 3, time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := db.WithdrawSignature(ctx, withdraw); err != nil {
			t.Fatal(err)
		}
		if n := queued("withdrawn@example.org"); n != 0 {
			t.Fatalf("%d queued emails remain after withdrawal", n)
		}
		if err := db.Exec(ctx, "UPDATE signatures SET token_expires_at = ? WHERE email_hash = ?", time.Now().UTC().Add(-time.Minute), "expired@example.org"); err != nil {
			t.Fatal(err)
		}
		if n, err := db.DeleteUnconfirmed(ctx); err != nil || n != 1 {
			t.Fatalf("DeleteUnconfirmed = %d, %v; want 1", n, err)
		}
		if n := queued("expired@example.org"); n != 0 {
			t.Fatalf("%d queued emails remain after expiry", n)
		}
		if n := queued("kept@example.org"); n != 1 {
			t.Fatalf("the other signer's email went too (%d left)", n)
		}
	})
}
