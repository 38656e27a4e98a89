package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// Mail still queued for a campaign's signers (the relay down, or blocked)
// holds their addresses under DATA_KEY: closing the campaign deletes it,
// and leaves other mail alone (attacker review).
func TestShreddingACampaignDeletesItsQueuedMail(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		t.Parallel()
		ctx := context.Background()
		c := intakeCampaign(t, db)
		if err := db.AcceptIntake(ctx, store.IntakeSignature, c.ID, "", "payload"); err != nil {
			t.Fatal(err)
		}
		confirm, withdraw := "c-hash", "w-hash"
		_, err := db.ProcessIntake(ctx, 10, func(store.IntakeEntry) (store.Intent, error) {
			return store.SignIntent{
				Signature: &store.Signature{CampaignID: c.ID, EmailHash: "h", Country: "BY", Visibility: "private",
					ConfirmTokenHash: &confirm, WithdrawTokenHash: &withdraw, TokenExpiresAt: time.Now().UTC().Add(time.Hour)},
				Confirm: store.Mail{Kind: "signature_confirm", Recipient: "queued.signer@example.org", Params: []byte(`{}`)},
			}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.EnqueueMail(ctx, store.Mail{Kind: "password_reset", Recipient: "staff@example.org", Params: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
		if n := countWhere(t, db, "mail_messages", "status = 'queued'"); n != 2 {
			t.Fatalf("%d queued before the close, want 2", n)
		}
		if err := db.ShredCampaign(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		if n := countWhere(t, db, "mail_messages", "status = 'queued' AND kind = 'signature_confirm'"); n != 0 {
			t.Fatalf("%d of the campaign's emails still queued after the close", n)
		}
		if n := countWhere(t, db, "mail_messages", "status = 'queued' AND kind = 'password_reset'"); n != 1 {
			t.Fatalf("the close took other mail too: %d left", n)
		}
	})
}
