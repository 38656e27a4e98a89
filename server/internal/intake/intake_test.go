package intake_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bnp/undersigned/server/internal/intake"
	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// A request is sealed whole in the intake (nothing of it in plain text),
// and the worker turns it into a signature keyed by the canonical address
// and a confirmation email in the request's language.
func TestSubmitSealsAndWorkerSigns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		t.Parallel()
		ctx := context.Background()
		c := store.Campaign{Slug: "intake", Title: "Intake", Language: "en", Status: store.StatusOpen, RetentionDays: 90}
		var err error
		if err = db.CreateCampaign(ctx, &c, nil); err != nil {
			t.Fatal(err)
		}
		keys := privacy.NewKeys([]byte(strings.Repeat("k", 32)))
		w := intake.New(db.Store, keys, "https://sign.example")
		coalition, _ := privacy.NewIdentity()
		if w.Coalition, err = privacy.NewCoalition(coalition.Recipient); err != nil {
			t.Fatal(err)
		}
		r := intake.SignRequest{Email: "ales.b+x@gmail.com", Name: "Ales Secretname", Country: "BY", Visibility: store.VisibilityPrivate,
			Updates: true, Language: "be", Campaign: "Intake"}
		if err := w.SubmitSignature(ctx, c.ID, r); err != nil {
			t.Fatal(err)
		}
		for _, plain := range []string{"ales", "Secretname", "gmail"} {
			if n, err := db.CountWhere(ctx, "intake", "payload LIKE ?", "%"+plain+"%"); err != nil || n != 0 {
				t.Fatalf("the intake holds %q in plain text (%d, %v)", plain, n, err)
			}
		}
		res, err := w.Process(ctx)
		if err != nil || res.Created != 1 {
			t.Fatalf("process: %+v, %v", res, err)
		}
		sigs, err := db.SearchSignatures(ctx, c.ID, store.SignatureFilter{}, "", 10)
		if err != nil || len(sigs) != 1 {
			t.Fatalf("signatures: %v, %v", sigs, err)
		}
		s := sigs[0]
		want, err := w.Hasher.EmailHash(ctx, c.ID, "alesb@gmail.com")
		if err != nil {
			t.Fatal(err)
		}
		// Keyed by the campaign's own key; the address and the private name
		// kept only sealed to the coalition.
		open, _ := privacy.ParseIdentity(coalition.Secret)
		email, _ := open.OpenOptional(s.EmailSealed)
		name, _ := open.OpenOptional(s.NameSealed)
		if s.EmailHash != want || s.EmailProvider != "gmail.com" || s.EmailEncrypted != nil || s.Name != nil ||
			email == nil || *email != "ales.b+x@gmail.com" || name == nil || *name != "Ales Secretname" || s.Language != "be" {
			t.Fatalf("signature keyed or sealed wrongly: %+v", s)
		}
		if n, _ := db.CountWhere(ctx, "mail_messages", "ref = ? AND kind = 'signature_confirm' AND language = 'be'", s.ID); n != 1 {
			t.Fatal("no confirmation email in Belarusian queued under the signature's id")
		}
		if n, _ := db.CountRows(ctx, "intake"); n != 0 {
			t.Fatalf("%d intake entries left", n)
		}
	})
}
