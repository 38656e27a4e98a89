package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// TestMessageIDsAreInTheStoresDomain queues mail by every path through a
// store opened with a message domain, and through one opened without: every
// Message-ID ends in the domain the store was given, else in localhost.
func TestMessageIDsAreInTheStoresDomain(t *testing.T) {
	for _, kind := range storetest.Kinds(t) {
		for _, domain := range []string{"sign.example.org", ""} {
			t.Run(string(kind)+"/"+domain, func(t *testing.T) {
				t.Parallel()
				db := storetest.NewWith(t, kind, store.Options{MessageDomain: domain})
				queueEveryWay(t, db)
				var ids []string
				if err := db.Query(context.Background(), &ids, "SELECT message_id FROM mail_messages"); err != nil {
					t.Fatal(err)
				}
				want := "@sign.example.org"
				if domain == "" {
					want = "@localhost"
				}
				if len(ids) != 4 {
					t.Fatalf("%d messages queued, want 4", len(ids))
				}
				for _, id := range ids {
					if !strings.HasSuffix(id, want) || strings.Count(id, "@") != 1 {
						t.Errorf("Message-ID %q does not end in %s", id, want)
					}
				}
			})
		}
	}
}
