package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// TestStaleWorkerCannotActOnATakenOverMessage plays a worker whose lease
// ran out mid-batch while another worker took the message over.
func TestStaleWorkerCannotActOnATakenOverMessage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		ctx := context.Background()
		claim := func(worker string, lease time.Duration) string {
			t.Helper()
			claimed, err := db.ClaimMail(ctx, worker, 10, lease)
			if err != nil || len(claimed) != 1 {
				t.Fatalf("%s claimed %d, %v", worker, len(claimed), err)
			}
			return claimed[0].ID
		}
		extend := func(worker, id string) int {
			t.Helper()
			n, err := db.ExtendMailLease(ctx, worker, time.Minute, id)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if err := db.EnqueueMail(ctx, store.Mail{Kind: "password_reset", Recipient: "a@example.org", Params: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
		id := claim("stale", time.Minute)
		if n := extend("stale", id); n != 1 {
			t.Fatalf("the holder could not extend its live lease (%d)", n)
		}
		// The extension was for a minute: no one else may claim it now.
		if again, _ := db.ClaimMail(ctx, "other", 10, time.Minute); len(again) != 0 {
			t.Fatal("an extended lease was claimed by another worker")
		}
		if err := db.Exec(ctx, "UPDATE mail_messages SET lease_until = ? WHERE id = ?", time.Now().UTC().Add(-time.Second), id); err != nil {
			t.Fatal(err)
		}
		if n := extend("stale", id); n != 0 {
			t.Fatal("a lease that had run out was renewed")
		}
		if claim("new", time.Minute) != id {
			t.Fatal("the new worker claimed another message")
		}
		if n := extend("stale", id); n != 0 {
			t.Fatal("the stale worker renewed a lease another worker holds")
		}
		if err := db.FailMail(ctx, id, "stale", "550 no such mailbox"); !errors.Is(err, store.ErrLeaseLost) {
			t.Fatalf("stale fail: %v, want ErrLeaseLost", err)
		}
		if err := db.RetryMail(ctx, id, "stale", time.Now().Add(time.Hour), "451 later"); !errors.Is(err, store.ErrLeaseLost) {
			t.Fatalf("stale retry: %v, want ErrLeaseLost", err)
		}
		m, err := db.MailByID(ctx, id)
		if err != nil || m.Status != store.MailQueued || m.LeasedBy != "new" || m.LeaseUntil == nil || m.LastError != "" {
			t.Fatalf("after the stale worker's updates: %+v, %v", m, err)
		}
		if n := extend("new", id); n != 1 {
			t.Fatal("the new holder lost its lease")
		}
	})
}

// TestSentByAStaleWorkerIsNotSentAgain: a worker that lost its lease while
// the server accepted the message still records it as sent, so that the
// new holder, checking its lease just before sending, leaves it.
func TestSentByAStaleWorkerIsNotSentAgain(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		ctx := context.Background()
		if err := db.EnqueueMail(ctx, store.Mail{Kind: "password_reset", Recipient: "a@example.org", Params: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
		claimed, err := db.ClaimMail(ctx, "stale", 10, time.Millisecond)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claimed %d, %v", len(claimed), err)
		}
		time.Sleep(5 * time.Millisecond)
		if again, err := db.ClaimMail(ctx, "new", 10, time.Minute); err != nil || len(again) != 1 {
			t.Fatalf("takeover claimed %d, %v", len(again), err)
		}
		id := claimed[0].ID
		if err := db.MarkMailSent(ctx, id); err != nil {
			t.Fatalf("stale worker's mark sent: %v", err)
		}
		if n, err := db.ExtendMailLease(ctx, "new", time.Minute, id); err != nil || n != 0 {
			t.Fatalf("the new holder may still send a message already sent (%d, %v)", n, err)
		}
		if err := db.MarkMailSent(ctx, id); !errors.Is(err, store.ErrLeaseLost) {
			t.Fatalf("second mark sent: %v, want ErrLeaseLost", err)
		}
		if err := db.FailMail(ctx, id, "new", "550"); !errors.Is(err, store.ErrLeaseLost) {
			t.Fatalf("fail after sent: %v, want ErrLeaseLost", err)
		}
		if m, _ := db.MailByID(ctx, id); m.Status != store.MailSent || m.Recipient != nil {
			t.Fatalf("message: status %s, recipient kept %v", m.Status, m.Recipient != nil)
		}
	})
}

// TestBatchedMarksAndRenewals: the queue records sends and renews leases
// many messages at a time; the renewal says which messages are still the
// worker's, so that it leaves those another worker took over.
func TestBatchedMarksAndRenewals(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		ctx := context.Background()
		for _, to := range []string{"a@example.org", "b@example.org", "c@example.org"} {
			if err := db.EnqueueMail(ctx, store.Mail{Kind: "password_reset", Recipient: to, Params: []byte(`{}`)}); err != nil {
				t.Fatal(err)
			}
		}
		claimed, err := db.ClaimMail(ctx, "w", 10, time.Minute)
		if err != nil || len(claimed) != 3 {
			t.Fatalf("claimed %d, %v", len(claimed), err)
		}
		a, b, c := claimed[0].ID, claimed[1].ID, claimed[2].ID
		if err := db.Exec(ctx, "UPDATE mail_messages SET leased_by = 'other' WHERE id = ?", c); err != nil {
			t.Fatal(err)
		}
		renewed, err := db.RenewMailLeases(ctx, "w", time.Minute, a, b, c)
		if err != nil || len(renewed) != 2 || slices.Contains(renewed, c) {
			t.Fatalf("renewed %v, %v; want a and b only", renewed, err)
		}
		if n, err := db.MarkMailSentBatch(ctx, []string{a, b}); err != nil || n != 2 {
			t.Fatalf("marked %d, %v", n, err)
		}
		for _, id := range []string{a, b} {
			if m, err := db.MailByID(ctx, id); err != nil || m.Status != store.MailSent || m.Recipient != nil || m.Params != nil {
				t.Fatalf("%s after sending: %+v, %v", id, m, err)
			}
		}
		if n, err := db.MarkMailSentBatch(ctx, []string{a, b}); err != nil || n != 0 {
			t.Fatalf("marked twice: %d, %v", n, err)
		}
		if renewed, err := db.RenewMailLeases(ctx, "w", time.Minute, a, b); err != nil || len(renewed) != 0 {
			t.Fatalf("renewed sent messages: %v, %v", renewed, err)
		}
	})
}

// TestRenewalNeverDeadlocksWithMarkSent: the heartbeat renewing a batch
// and the batched marks recording some of it touch the same rows at the
// same moment, many times over; neither may fail, or a message sent would
// not be recorded as sent.
func TestRenewalNeverDeadlocksWithMarkSent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		ctx := context.Background()
		for _, to := range []string{"a@example.org", "b@example.org", "c@example.org"} {
			if err := db.EnqueueMail(ctx, store.Mail{Kind: "password_reset", Recipient: to, Params: []byte(`{}`)}); err != nil {
				t.Fatal(err)
			}
		}
		claimed, err := db.ClaimMail(ctx, "w", 10, time.Minute)
		if err != nil || len(claimed) != 3 {
			t.Fatalf("claimed %d, %v", len(claimed), err)
		}
		a, b, c := claimed[0].ID, claimed[1].ID, claimed[2].ID
		for i := range 300 {
			if err := db.Exec(ctx, "UPDATE mail_messages SET status = 'queued', leased_by = 'w', lease_until = ?", time.Now().UTC().Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			renewed := make(chan error, 1)
			go func() {
				_, err := db.RenewMailLeases(ctx, "w", time.Minute, c, b, a)
				renewed <- err
			}()
			if _, err := db.MarkMailSentBatch(ctx, []string{a, b}); err != nil {
				t.Fatalf("round %d: mark sent: %v", i, err)
			}
			if err := <-renewed; err != nil {
				t.Fatalf("round %d: renew: %v", i, err)
			}
		}
	})
}
