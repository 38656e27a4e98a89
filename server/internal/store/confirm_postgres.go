package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
)

// confirmManyPostgres is confirmMany on PostgreSQL: the batch is one
// statement, so one round trip and one commit (the statement is its own
// transaction). It confirms the pending, unexpired signatures of the
// tokens, queues their log leaves (a shadow-flagged one's removal with it,
// as logConfirmation does), and returns their campaigns' slugs; all of it
// commits together or not at all. Only when some token was not confirmed
// by it does a second statement, a read after that commit, look for those
// confirmed before.
//
// Two batches holding the same tokens could deadlock; PostgreSQL then
// fails one, which commit retries request by request.
//
// Each token must be found by its unique index, whatever the statistics
// say. Written as "status = 'pending' AND token_expires_at > t", the
// condition matches signatures_pending_expiry, and when the statistics lag
// behind a surge of pending signatures the planner scanned every pending
// row for each batch (130 ms a batch at 64,000 pending, measured; see
// docs/benchmarks.md). Inside a CASE the condition is a filter only.
func (s *Store) confirmManyPostgres(ctx context.Context, reqs []*confirmRequest, t time.Time) error {
	tokens := make([]string, len(reqs))
	commitments := make([]string, len(reqs))
	byToken := make(map[string]*confirmRequest, len(reqs))
	for i, r := range reqs {
		tokens[i], commitments[i] = r.tokenHash, r.commitment
		byToken[r.tokenHash] = r
	}
	day := logDay(t)
	reason, reasonArgs := flagReasonCodeSQL("flag_reason")
	args := []any{SignatureConfirmed, t, pgTextArray(tokens), pgTextArray(commitments), SignaturePending, t,
		LogConfirmed, day, LogInvalidated}
	args = append(append(args, reasonArgs...), day)
	var rows []struct{ ConfirmTokenHash, Slug string }
	err := s.conn(ctx).Raw(`WITH hit AS (
			UPDATE signatures AS s
			SET status = ?, confirmed_at = ?, receipt_commitment = r.c
			FROM unnest(?::text[], ?::text[]) AS r(t, c)
			WHERE s.confirm_token_hash = r.t
			AND CASE WHEN s.status = ? THEN s.token_expires_at > ? ELSE FALSE END
			RETURNING s.confirm_token_hash, s.campaign_id, s.flagged, s.flag_reason, r.c AS commitment
		), leaves AS (
			INSERT INTO log_events (campaign_id, commitment, kind, reason, day)
			SELECT campaign_id, commitment, ?::text, '', ?::text FROM hit
			UNION ALL
			SELECT campaign_id, commitment, ?::text, `+reason+`, ?::text FROM hit WHERE flagged
			ON CONFLICT DO NOTHING
		)
		SELECT hit.confirm_token_hash, c.slug FROM hit JOIN campaigns AS c ON c.id = hit.campaign_id`,
		args...).Scan(&rows).Error
	if err != nil {
		return translate("confirm signature", err)
	}
	for _, row := range rows {
		r := byToken[row.ConfirmTokenHash]
		r.fresh, r.slug = true, row.Slug
	}
	// The rest were confirmed before (harmless: no second receipt, even
	// if a concurrent batch committed it while this one waited for the
	// row), or are unknown, expired or no longer pending. The batch is
	// committed: a failure here fails only these.
	var missed []string
	for _, r := range reqs {
		if !r.fresh {
			missed = append(missed, r.tokenHash)
		}
	}
	if len(missed) == 0 {
		return nil
	}
	var already []struct{ ConfirmTokenHash, Slug string }
	err = s.conn(ctx).Raw(`SELECT s.confirm_token_hash, c.slug FROM signatures AS s
		JOIN campaigns AS c ON c.id = s.campaign_id
		WHERE s.confirm_token_hash = ANY(?::text[]) AND s.status = ?`,
		pgTextArray(missed), SignatureConfirmed).Scan(&already).Error
	for _, a := range already {
		byToken[a.ConfirmTokenHash].slug = a.Slug
	}
	for _, tok := range missed {
		r := byToken[tok]
		switch {
		case err != nil:
			r.err = translate("confirm signature", err)
		case r.slug == "":
			r.err = translate("confirm signature", gorm.ErrRecordNotFound)
		}
	}
	return nil
}

// pgArrayQuoter escapes an element of a quoted array literal.
var pgArrayQuoter = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// pgTextArray is a PostgreSQL array literal of ss, each element quoted.
func pgTextArray(ss []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(pgArrayQuoter.Replace(s))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}
