package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// On PostgreSQL a claim leaves each message on its page (a heap-only
// update, which writes no index entry), even right after a bulk enqueue
// filled the pages: the queue's pages keep room for it.
func TestClaimKeepsMessagesOnTheirPages(t *testing.T) {
	t.Parallel()
	// PostgreSQL only: SQLite has no heap-only updates. Kinds fails in CI
	// when PostgreSQL is missing, so this skips on a developer's machine
	// only.
	if !slices.Contains(storetest.Kinds(t), storetest.Postgres) {
		t.Skip("TEST_DATABASE_URL is not set")
	}
	claimKeepsPages(t, storetest.New(t, storetest.Postgres))
}

func claimKeepsPages(t *testing.T, db storetest.DB) {
	ctx := context.Background()
	mails := make([]store.Mail, 300)
	for i := range mails {
		mails[i] = store.Mail{Kind: "password_reset", Recipient: fmt.Sprintf("a%d@example.org", i), Params: []byte(`{"link":"http://localhost:8080/reset/0123456789abcdef0123456789abcdef","minutes":30}`)}
	}
	if err := db.EnqueueMail(ctx, mails...); err != nil {
		t.Fatal(err)
	}
	pages := func() map[string]string {
		t.Helper()
		rows, err := db.QueryStrings(ctx, `SELECT id || ' ' || split_part(trim(both '()' from ctid::text), ',', 1) FROM mail_messages`)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, r := range rows {
			var id, page string
			if _, err := fmt.Sscan(r, &id, &page); err != nil {
				t.Fatal(err)
			}
			out[id] = page
		}
		return out
	}
	before := pages()
	claimed, err := db.ClaimMail(ctx, "w", len(mails), time.Minute)
	if err != nil || len(claimed) != len(mails) {
		t.Fatalf("claimed %d, %v", len(claimed), err)
	}
	moved := 0
	for id, page := range pages() {
		if before[id] != page {
			moved++
		}
	}
	if moved > 0 {
		t.Errorf("%d of %d claimed messages moved to another page: their claims wrote index entries", moved, len(mails))
	}
}
