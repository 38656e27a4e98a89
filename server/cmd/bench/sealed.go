package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
)

// benchShred measures closing a campaign of 100,000 signatures (issue 14):
// its dedup key and every hash destroyed, then the tables that held keys
// or addresses rewritten. The reference, in the same run, is an UPDATE
// that rewrites the same rows once.
func benchShred(ctx context.Context, e *benchEnv) ([]result, error) {
	const n = 100_000
	c := store.Campaign{Slug: "shred-bench", Title: "Shred bench", Language: "en", Status: store.StatusOpen, RetentionDays: 90}
	if err := e.store.CreateCampaign(ctx, &c, nil); err != nil {
		return nil, err
	}
	defer func() { _ = e.store.DeleteCampaign(ctx, c.Slug, nil) }()
	sealed := "s1." + strings.Repeat("x", 330) // the size of an age-sealed address
	now := time.Now().UTC()
	for done := 0; done < n; done += 1000 {
		var values []string
		var args []any
		for i := done; i < done+1000 && i < n; i++ {
			values = append(values, "(?, ?, ?, ?, 'BY', 'private', TRUE, 'confirmed', ?, ?, ?)")
			args = append(args, fmt.Sprintf("shred-%07d", i), c.ID, fmt.Sprintf("hash-%043d", i), sealed, now, now, now)
		}
		err := e.store.Exec(ctx, `INSERT INTO signatures (id, campaign_id, email_hash, email_sealed, country, visibility, updates, status,
			token_expires_at, created_at, confirmed_at) VALUES `+strings.Join(values, ","), args...)
		if err != nil {
			return nil, err
		}
	}
	if err := e.store.Exec(ctx, "INSERT INTO campaign_keys (campaign_id, dedup_key, created_at) VALUES (?, ?, ?)", c.ID, "v1.bench", now); err != nil {
		return nil, err
	}
	// A hundred endorsements under review, whose contacts the close deletes.
	for i := range 100 {
		err := e.store.Exec(ctx, `INSERT INTO endorsements (id, campaign_id, organization, name_key, display_name, org_type, country,
			contact_encrypted, contact_hash, contact_sealed, language, status, token_expires_at, created_at)
			VALUES (?, ?, ?, ?, ?, 'ngo', 'LT', ?, ?, ?, 'en', 'awaiting_review', ?, ?)`,
			fmt.Sprintf("shred-e-%03d", i), c.ID, fmt.Sprintf("Org %d", i), fmt.Sprintf("org %d", i), fmt.Sprintf("Org %d", i),
			"v1."+strings.Repeat("x", 120), fmt.Sprintf("chash-%037d", i), sealed, now, now)
		if err != nil {
			return nil, err
		}
	}
	start := time.Now()
	if err := e.store.Exec(ctx, "UPDATE signatures SET email_domain_hash = email_domain_hash || '' WHERE campaign_id = ?", c.ID); err != nil {
		return nil, err
	}
	reference := time.Since(start)
	if err := e.store.Exec(ctx, "UPDATE campaigns SET status = 'closed', closed_at = ? WHERE id = ?", now, c.ID); err != nil {
		return nil, err
	}
	start = time.Now()
	if err := e.store.ShredCampaign(ctx, c.ID); err != nil {
		return nil, err
	}
	took := time.Since(start)
	left := e.countWhere(ctx, "campaign_id = '"+c.ID+"' AND email_hash NOT LIKE 'closed:%'")
	var contacts int64
	if err := e.store.Raw(ctx, &contacts, "SELECT count(*) FROM endorsements WHERE campaign_id = ? AND contact_encrypted IS NOT NULL", c.ID); err != nil {
		return nil, err
	}
	left += contacts
	note := fmt.Sprintf("%.1f× one UPDATE of the same rows (%v); %d hashes or contacts left", took.Seconds()/reference.Seconds(), reference.Round(time.Millisecond), left)
	if left != 0 {
		e.failed = true
		note += ": FAIL"
	}
	return []result{{"close a campaign of 100,000 signatures", took.Round(time.Millisecond).String(), "", note}}, nil
}

// benchSeal measures what sealing adds to each signature the intake worker
// stores, against the AES-GCM encryption it replaced (one address): the
// worst case seals three values (address for updates, private name,
// comment) to two recipients.
func benchSeal(_ context.Context, _ *benchEnv) ([]result, error) {
	a, _ := privacy.NewIdentity()
	b, _ := privacy.NewIdentity()
	sealer, err := privacy.NewCoalition(a.Recipient + "," + b.Recipient)
	if err != nil {
		return nil, err
	}
	keys := privacy.NewKeys(make([]byte, 32))
	const n = 2000
	start := time.Now()
	for range n {
		if _, err := keys.Encrypt("alena.kavalenka@example.org"); err != nil {
			return nil, err
		}
	}
	before := time.Since(start) / n
	start = time.Now()
	for range n {
		for _, v := range []string{"alena.kavalenka@example.org", "Alena Kavalenka", "A comment of ordinary length."} {
			if _, err := sealer.Seal(v); err != nil {
				return nil, err
			}
		}
	}
	after := time.Since(start) / n
	return []result{{"seal one signature (worst case, 2 recipients)", after.Round(time.Microsecond).String(), "",
		fmt.Sprintf("%.0f× the AES-GCM address it replaced (%v); caps one intake worker at %.0f signatures/s of CPU",
			float64(after)/float64(before), before.Round(100*time.Nanosecond), float64(time.Second)/float64(after))}}, nil
}

// fixedKey is a DedupKeyStore that always has the same wrapped key.
type fixedKey string

func (k fixedKey) CampaignDedupKey(context.Context, string, string) (string, error) {
	return string(k), nil
}

// benchEndorseContact measures what keeping an endorsement's contact out
// of plain text adds to each endorsement the intake worker stores: the
// lookup hash under the campaign's key (cached, as the worker has it) and
// the contact encrypted for its row with the store's cipher. The reference
// is sealing the contact to the coalition, which it did already.
func benchEndorseContact(ctx context.Context, _ *benchEnv) ([]result, error) {
	keys := privacy.NewKeys(make([]byte, 32))
	wrapped, err := keys.Encrypt(strings.Repeat("ab", 32))
	if err != nil {
		return nil, err
	}
	hasher := &privacy.CampaignHasher{Keys: keys, Store: fixedKey(wrapped)}
	cipher := keys.Sealer("mail")
	a, _ := privacy.NewIdentity()
	coalition, err := privacy.NewCoalition(a.Recipient)
	if err != nil {
		return nil, err
	}
	const n = 20000
	contact := `{"name":"Maryna Kontakt","email":"office@spring96.example"}`
	start := time.Now()
	for i := range n {
		if _, err := hasher.ExistingContactHash(ctx, "campaign", "office@spring96.example"); err != nil {
			return nil, err
		}
		if _, err := cipher.Seal(contact, fmt.Sprintf("endorsements.contact_encrypted:%d", i)); err != nil {
			return nil, err
		}
	}
	added := time.Since(start) / n
	start = time.Now()
	for range n / 10 {
		if _, err := coalition.Seal(contact); err != nil {
			return nil, err
		}
	}
	sealed := time.Since(start) / (n / 10)
	return []result{{"endorsement contact: hash + encrypt", added.Round(10 * time.Nanosecond).String(), "",
		fmt.Sprintf("the coalition seal of the same contact: %v (%.1f%%)", sealed.Round(time.Microsecond), 100*float64(added)/float64(sealed))}}, nil
}
