package main

import (
	"context"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/seed"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// Rows signed before sealing are sealed by the server after the upgrade:
// the DATA_KEY address, a private name and a comment become readable by
// the coalition identity only.
func TestLegacySignaturesAreSealed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		ctx := context.Background()
		if _, err := seed.LoadIfEmpty(ctx, db.Store, nil); err != nil {
			t.Fatal(err)
		}
		camps, err := db.AllCampaigns(ctx)
		if err != nil || len(camps) == 0 {
			t.Fatal(err)
		}
		keys := privacy.NewKeys(make([]byte, 32))
		enc, _ := keys.Encrypt("legacy@example.org")
		ts := time.Now().UTC()
		for i, row := range []struct{ id, vis, name string }{{"l1", "private", "Legacy Private"}, {"l2", "public", "Legacy Public"}} {
			err := db.Exec(ctx, `INSERT INTO signatures (id, campaign_id, email_hash, email_encrypted, name, country, comment, visibility, updates, status, token_expires_at, created_at)
				VALUES (?, ?, ?, ?, ?, 'BY', 'old comment', ?, TRUE, 'confirmed', ?, ?)`, row.id, camps[0].ID, row.id, enc, row.name, row.vis, ts, ts.Add(time.Duration(i)))
			if err != nil {
				t.Fatal(err)
			}
		}
		id, _ := privacy.NewIdentity()
		sealer, _ := privacy.NewCoalition(id.Recipient)
		if n, err := sealLegacy(ctx, db.Store, keys, sealer); err != nil || n != 2 {
			t.Fatalf("sealed %d, %v", n, err)
		}
		if n, err := sealLegacy(ctx, db.Store, keys, sealer); err != nil || n != 0 {
			t.Fatalf("a second run sealed %d, %v", n, err)
		}
		if n, _ := db.CountWhere(ctx, "signatures", "email_encrypted IS NOT NULL OR comment IS NOT NULL OR (visibility = 'private' AND name IS NOT NULL)"); n != 0 {
			t.Fatalf("%d rows still readable", n)
		}
		if n, _ := db.CountWhere(ctx, "signatures", "id = 'l2' AND name = 'Legacy Public'"); n != 1 {
			t.Fatal("a public name was sealed away")
		}
		var sealedEmail string
		if err := db.Raw(ctx, &sealedEmail, "SELECT email_sealed FROM signatures WHERE id = 'l1'"); err != nil {
			t.Fatal(err)
		}
		open, _ := privacy.ParseIdentity(id.Secret)
		if got, err := open.Open(sealedEmail); err != nil || got != "legacy@example.org" {
			t.Fatalf("opened %q, %v", got, err)
		}
	})
}
