package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// TestStartSendingOnceUnderConcurrency: of several callers starting one
// draft at once, exactly one wins: its snapshot stays, one audit record is
// written, each contact is queued once; the others change nothing.
func TestStartSendingOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		ctx := context.Background()
		for i := range 4 {
			id := store.NewContactID()
			c := store.Contact{ID: id, Name: "Official", Email: fmt.Sprintf("o%d@example.org", i), Region: store.RegionEU,
				Language: "en", UnsubscribeTokenHash: "hash-" + id}
			if err := db.CreateContact(ctx, &c, nil); err != nil {
				t.Fatal(err)
			}
		}
		d := store.Digest{Region: store.RegionEU, Subject: "S", CreatedBy: "test"}
		if err := db.CreateDigest(ctx, &d, nil, nil); err != nil {
			t.Fatal(err)
		}
		const callers = 8
		type result struct {
			n   int64
			err error
		}
		results := make([]result, callers)
		var wg sync.WaitGroup
		for i := range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := db.StartSending(ctx, d.ID, fmt.Sprintf(`{"caller":%d}`, i), &store.AuditEntry{Action: "digest.send"})
				results[i] = result{n, err}
			}()
		}
		wg.Wait()
		winner := -1
		for i, r := range results {
			switch {
			case r.err == nil && winner < 0:
				winner = i
			case errors.Is(r.err, store.ErrDigestStarted):
			default:
				t.Fatalf("caller %d: %v (winner %d)", i, r.err, winner)
			}
			if r.n != 4 {
				t.Fatalf("caller %d: %d recipients, want 4", i, r.n)
			}
		}
		if winner < 0 {
			t.Fatal("nobody started the digest")
		}
		got, err := db.DigestByID(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != store.DigestSending || got.Content == nil || *got.Content != fmt.Sprintf(`{"caller":%d}`, winner) || got.Recipients != 4 {
			t.Fatalf("digest %s: status %s, content %v, recipients %d (winner %d)", got.ID, got.Status, *got.Content, got.Recipients, winner)
		}
		if n, err := db.CountRows(ctx, "mail_messages"); err != nil || n != 4 {
			t.Fatalf("%d deliveries, %v", n, err)
		}
		entries, err := db.ListAudit(ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		sends := 0
		for _, a := range entries {
			if a.Action == "digest.send" && a.Target == d.ID {
				sends++
			}
		}
		if sends != 1 {
			t.Fatalf("%d digest.send audit records, want 1", sends)
		}
		if err := db.CancelDigest(ctx, d.ID, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := db.StartSending(ctx, d.ID, "{}", &store.AuditEntry{Action: "digest.send"}); !errors.Is(err, store.ErrDigestState) {
			t.Fatalf("start a cancelled digest: %v", err)
		}
		if _, err := db.StartSending(ctx, "no-such-digest", "{}", &store.AuditEntry{Action: "digest.send"}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("start an unknown digest: %v", err)
		}
	})
}
