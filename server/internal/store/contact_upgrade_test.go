package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// TestPlainEndorsementContactsAreEncryptedAtUpgrade: contacts an older
// version kept in plain text are encrypted into their rows when the store
// next migrates, their plain columns are gone, and the database files no
// longer hold them (on PostgreSQL the dropped columns' values stay in the
// rows until the table is rewritten).
func TestPlainEndorsementContactsAreEncryptedAtUpgrade(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds(t) {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := storetest.Open(t, kind)
			if err := db.MigrateTo(ctx, 20); err != nil {
				t.Fatal(err)
			}
			camp := store.Campaign{Slug: "upgrade", Title: "Upgrade", Language: "en", Status: store.StatusOpen, RetentionDays: 30}
			if err := db.CreateCampaign(ctx, &camp, nil); err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC().Truncate(time.Millisecond)
			for i, status := range []string{store.EndorsementUnverified, store.EndorsementAwaitingReview} {
				id := []string{"legacy-unverified", "legacy-pending"}[i]
				err := db.Exec(ctx, `INSERT INTO endorsements (id, campaign_id, organization, name_key, display_name, org_type, country,
					contact_name, contact_email, language, status, token_expires_at, created_at)
					VALUES (?, ?, ?, ?, ?, 'ngo', 'LT', ?, ?, 'en', ?, ?, ?)`,
					id, camp.ID, "Org "+id, "org "+id, "Org "+id, "Upgradova "+id, id+".contact@example.org", status, now.Add(time.Hour), now)
				if err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"legacy-unverified", "legacy-pending"} {
				e, err := db.EndorsementByID(ctx, id)
				if err != nil || e.ContactEmail == nil || *e.ContactEmail != id+".contact@example.org" || *e.ContactName != "Upgradova "+id {
					t.Fatalf("%s after the upgrade: %+v, %v", id, e, err)
				}
			}
			if n, err := db.CountWhere(ctx, "endorsement_contacts_legacy", "1 = 1"); err != nil || n != 0 {
				t.Fatalf("%d plain contacts still wait (%v)", n, err)
			}
			raw := rawTables(t, db, "endorsements", "endorsement_contacts_legacy")
			if !bytes.Contains(raw, []byte("Org legacy-pending")) {
				t.Fatal("the organisation is not in the files read: the search reads the wrong thing")
			}
			for _, secret := range []string{"legacy-unverified.contact@example.org", "Upgradova legacy-pending", "legacy-pending.contact"} {
				if bytes.Contains(raw, []byte(secret)) {
					t.Errorf("%q is still in the database files after the upgrade", secret)
				}
			}
		})
	}
}

// rawTables returns what is on disk of the tables: the SQLite file and its
// WAL (after a checkpoint, as housekeeping runs), or the tables' heap files
// on PostgreSQL, dead tuples and dropped columns included.
func rawTables(t *testing.T, db storetest.DB, tables ...string) []byte {
	t.Helper()
	ctx := context.Background()
	var all []byte
	if db.Kind == storetest.SQLite {
		if err := db.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		for _, suffix := range []string{"", "-wal"} {
			b, err := os.ReadFile(db.Path + suffix)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		return all
	}
	if err := db.Exec(ctx, "CHECKPOINT"); err != nil {
		skipOutsideCI(t, "no CHECKPOINT here (%v)", err)
	}
	dirs, err := db.QueryStrings(ctx, "SHOW data_directory")
	if err != nil || len(dirs) != 1 {
		t.Fatalf("data_directory: %v %v", dirs, err)
	}
	for _, table := range tables {
		rels, err := db.QueryStrings(ctx, "SELECT pg_relation_filepath(?::regclass)", table)
		if err != nil || len(rels) != 1 {
			t.Fatalf("%s: %v %v", table, rels, err)
		}
		b, err := os.ReadFile(filepath.Join(dirs[0], rels[0]))
		if err != nil {
			skipOutsideCI(t, "PostgreSQL's files are not readable here (%v)", err)
		}
		all = append(all, b...)
	}
	return all
}

// skipOutsideCI skips on a developer's machine that cannot show the raw
// files, and fails in CI, where a privacy test that skips proves nothing.
func skipOutsideCI(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}
