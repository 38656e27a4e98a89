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
	note := fmt.Sprintf("%.1f× one UPDATE of the same rows (%v); %d hashes left", took.Seconds()/reference.Seconds(), reference.Round(time.Millisecond), left)
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
