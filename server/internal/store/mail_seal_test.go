package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// rawMail is a mail_messages row as it is on disk.
type rawMail struct {
	ID        string
	Recipient *string
	Params    *string
	ContactID *string
}

func rawMailRows(t *testing.T, db storetest.DB) []rawMail {
	t.Helper()
	var rows []rawMail
	if err := db.Query(context.Background(), &rows, "SELECT id, recipient, params, contact_id FROM mail_messages ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	return rows
}

// assertSealed fails if any raw value holds one of the secrets in plain
// text, or is not sealed at all.
func assertSealed(t *testing.T, where string, values []*string, secrets ...string) {
	t.Helper()
	for _, v := range values {
		if v == nil {
			continue
		}
		if !strings.HasPrefix(*v, "v1.") {
			t.Errorf("%s: a value is not sealed: %.40q", where, *v)
		}
		for _, s := range secrets {
			if strings.Contains(strings.ToLower(*v), strings.ToLower(s)) {
				t.Errorf("%s: %q is on disk in plain text", where, s)
			}
		}
	}
}

// The personal data queueEveryWay puts in the mail it queues.
const (
	sealEmail = "Alena.Private@example.org"
	sealName  = "Alena Secretname"
	sealToken = "tok-live-9f8e7d6c5b4a"
)

var sealParams = []byte(`{"name":"` + sealName + `","confirm":"http://x/confirm/` + sealToken + `"}`)

// queueEveryWay queues one message by each path (on its own, in a
// transaction, with a new signature, to a digest's contact) and returns
// the contact.
func queueEveryWay(t *testing.T, db storetest.DB) store.Contact {
	t.Helper()
	ctx := context.Background()
	email, name, token, params := sealEmail, sealName, sealToken, sealParams
	if err := db.EnqueueMail(ctx, store.Mail{Kind: "signature_confirm", Recipient: email, Params: params}); err != nil {
		t.Fatal(err)
	}
	err := db.InTransaction(ctx, func(tx store.Tx) error {
		return tx.Enqueue(store.Mail{Kind: "password_reset", Recipient: email, Params: params})
	})
	if err != nil {
		t.Fatal(err)
	}
	c := &store.Campaign{Slug: "sealed", Title: "Sealed", Language: "en", Status: store.StatusOpen, RetentionDays: 90}
	if err := db.CreateCampaign(ctx, c, nil); err != nil {
		t.Fatal(err)
	}
	sigName, hash := name, "hash-"+token
	sig := &store.Signature{CampaignID: c.ID, EmailHash: "email-hash", Name: &sigName, Country: "BY", Visibility: "private",
		ConfirmTokenHash: &hash, TokenExpiresAt: time.Now().Add(time.Hour)}
	if err := db.AcceptIntake(ctx, store.IntakeSignature, c.ID, "", "sealed payload"); err != nil {
		t.Fatal(err)
	}
	_, err = db.ProcessIntake(ctx, 10, func(store.IntakeEntry) (store.Intent, error) {
		return store.SignIntent{Signature: sig, Confirm: store.Mail{Kind: "signature_confirm", Recipient: email, Params: params}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	contact := store.Contact{ID: store.NewContactID(), Name: "Official", Email: "official.private@example.org", Region: store.RegionEU,
		Language: "en", UnsubscribeTokenHash: "unsub-hash"}
	if err := db.CreateContact(ctx, &contact, nil); err != nil {
		t.Fatal(err)
	}
	d := store.Digest{Region: store.RegionEU, Subject: "S", CreatedBy: "test"}
	if err := db.CreateDigest(ctx, &d, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.StartSending(ctx, d.ID, `{}`, &store.AuditEntry{Action: "digest.send"}); err != nil {
		t.Fatal(err)
	}
	return contact
}

// TestQueuedMailIsSealedAtRest queues mail by every path (on its own, in a
// transaction, with a new signature, to digest contacts) and reads the
// raw rows: no address, name or token in plain text. The worker's claim
// opens them in memory.
func TestQueuedMailIsSealedAtRest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		t.Parallel()
		ctx := context.Background()
		email, name, token, params := sealEmail, sealName, sealToken, sealParams
		contact := queueEveryWay(t, db)

		rows := rawMailRows(t, db)
		if len(rows) != 4 {
			t.Fatalf("%d queued rows, want 4", len(rows))
		}
		digests := 0
		for _, r := range rows {
			if r.ContactID == nil {
				assertSealed(t, "mail_messages "+r.ID, []*string{r.Recipient, r.Params}, email, name, token, contact.Email)
			}
			if r.ContactID != nil {
				// Two ids, nothing personal: {"digest":…,"contact":…}.
				if r.Params == nil || strings.Contains(*r.Params, "@") || !strings.Contains(*r.Params, *r.ContactID) {
					t.Errorf("digest delivery params: %v", r.Params)
				}
				digests++
				if r.Recipient != nil {
					t.Errorf("a digest delivery copied its contact's address")
				}
			}
		}
		if digests != 1 {
			t.Fatalf("%d digest deliveries name their contact, want 1", digests)
		}

		claimed, err := db.ClaimMail(ctx, "w", 10, time.Minute)
		if err != nil || len(claimed) != 4 {
			t.Fatalf("claimed %d, %v", len(claimed), err)
		}
		for _, m := range claimed {
			want := email
			if m.ContactID != nil {
				want = contact.Email
			}
			if m.Recipient == nil || *m.Recipient != want {
				t.Errorf("claimed %s (%s): recipient %v, want %s", m.ID, m.Kind, m.Recipient, want)
			}
			if m.ContactID == nil && (m.Params == nil || *m.Params != string(params)) {
				t.Errorf("claimed %s: params not opened: %v", m.ID, m.Params)
			}
		}
	})
}

// TestSealedMailDoesNotOpenElsewhere: a sealed value copied onto another
// row, or a store with another key, cannot open it.
func TestSealedMailDoesNotOpenElsewhere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		t.Parallel()
		ctx := context.Background()
		for _, to := range []string{"a@example.org", "b@example.org"} {
			if err := db.EnqueueMail(ctx, store.Mail{Kind: "password_reset", Recipient: to, Params: []byte(`{}`)}); err != nil {
				t.Fatal(err)
			}
		}
		rows := rawMailRows(t, db)
		if err := db.Exec(ctx, "UPDATE mail_messages SET recipient = ? WHERE id = ?", *rows[0].Recipient, rows[1].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.MailByID(ctx, rows[1].ID); err == nil {
			t.Fatal("a recipient sealed for one row opened on another")
		}
		if _, err := db.MailByID(ctx, rows[0].ID); err != nil {
			t.Fatalf("its own row: %v", err)
		}
	})
}

// TestDevOutboxIsSealedAtRest: the outbox holds a message's address,
// bodies and headers sealed; staff read them opened.
func TestDevOutboxIsSealedAtRest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		t.Parallel()
		ctx := context.Background()
		const email, token = "outbox.private@example.org", "tok-outbox-1a2b3c"
		for _, kind := range []string{"signature_confirm", "password_reset"} {
			e := store.OutboxEntry{MessageID: "m@x", Kind: kind, Recipient: email, Subject: "Confirm",
				Headers: `{"List-Unsubscribe":"<http://x/u/` + token + `>"}`, BodyText: "Open http://x/" + token, BodyHTML: `<a href="http://x/` + token + `">`}
			if err := db.WriteOutbox(ctx, &e); err != nil {
				t.Fatal(err)
			}
		}
		var raw []struct{ Recipient, Headers, BodyText, BodyHTML string }
		if err := db.Query(ctx, &raw, "SELECT recipient, headers, body_text, body_html FROM dev_outbox"); err != nil {
			t.Fatal(err)
		}
		for _, r := range raw {
			assertSealed(t, "dev_outbox", []*string{&r.Recipient, &r.Headers, &r.BodyText, &r.BodyHTML}, email, token)
		}
		all, err := db.ListOutbox(ctx, 10, store.OutboxFilter{})
		if err != nil || len(all) != 2 || all[0].Recipient != email || !strings.Contains(all[0].BodyText, token) || !strings.Contains(all[0].Headers, token) {
			t.Fatalf("outbox read back: %+v, %v", all, err)
		}
		other, err := db.ListOutbox(ctx, 10, store.OutboxFilter{To: "someone.else@example.org"})
		if err != nil || len(other) != 0 {
			t.Fatalf("another address's mail listed: %+v, %v", other, err)
		}
		own, err := db.ListOutbox(ctx, 10, store.OutboxFilter{To: "Outbox.Private@example.org", Kind: "password_reset"})
		if err != nil || len(own) != 1 || own[0].Kind != "password_reset" {
			t.Fatalf("the address's password reset: %+v, %v", own, err)
		}
	})
}

// TestStoreWithoutCipherQueuesNothing: a store opened without a cipher
// refuses to queue mail rather than write it in plain text.
func TestStoreWithoutCipherQueuesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		t.Parallel()
		ctx := context.Background()
		bare, err := store.OpenWith(ctx, db.URL, db.Path, db.Options())
		if err != nil {
			t.Fatal(err)
		}
		defer bare.Close()
		err = bare.EnqueueMail(ctx, store.Mail{Kind: "password_reset", Recipient: "a@example.org", Params: []byte(`{}`)})
		if err == nil || errors.Is(err, store.ErrConflict) {
			t.Fatalf("enqueue without a cipher: %v", err)
		}
		if n, _ := db.CountRows(ctx, "mail_messages"); n != 0 {
			t.Fatalf("%d rows written", n)
		}
	})
}

// TestMailQueuedInPlainTextIsSealedAtStart: rows an older version queued
// in plain text are sealed when the store next migrates (at every start),
// and still send.
func TestMailQueuedInPlainTextIsSealedAtStart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		t.Parallel()
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Millisecond)
		err := db.Exec(ctx, `INSERT INTO mail_messages (id, kind, ref, recipient, language, params, message_id, status, attempts, next_attempt_at, leased_by, last_error, created_at)
			VALUES ('legacy1', 'password_reset', '', 'old.signer@example.org', 'en', '{"link":"http://x/reset/tok-legacy"}', 'legacy1@x', 'queued', 0, ?, '', '', ?)`, now, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		rows := rawMailRows(t, db)
		assertSealed(t, "legacy row", []*string{rows[0].Recipient, rows[0].Params}, "old.signer@example.org", "tok-legacy")
		m, err := db.MailByID(ctx, "legacy1")
		if err != nil || *m.Recipient != "old.signer@example.org" || *m.Params != `{"link":"http://x/reset/tok-legacy"}` {
			t.Fatalf("legacy row opened: %+v, %v", m, err)
		}
	})
}
