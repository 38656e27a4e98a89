package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// confirmBatcher is the group commit of confirmations, as intakeBatcher is
// of signing: confirmations that arrive while one is being written wait,
// and the next free writer confirms all of them (up to maxBatch) in one
// transaction: an UPDATE of the signatures and an INSERT of their log
// leaves (on PostgreSQL both in one statement, so one round trip), one
// commit and so one disk flush. Each request is answered only
// after its commit, so a confirmation is durable before its 200 exactly as
// before; under light load a request is written alone at once.
//
// Exactly once: a token's row changes from pending to confirmed only in
// an UPDATE that requires it pending, and only the request whose UPDATE
// changed it gets fresh (a receipt) and a leaf. The same token twice in one
// batch is confirmed once; in two concurrent batches, PostgreSQL's row lock
// makes the second UPDATE find it confirmed.
type confirmBatcher struct {
	*groupCommit[*confirmRequest]
	s *Store
}

type confirmRequest struct {
	tokenHash, commitment string
	// answer:
	slug  string
	fresh bool
	err   error
	done  chan struct{}
}

// confirmMaxBatch bounds one group commit: two parameters a row on
// SQLite, two arrays on PostgreSQL.
const confirmMaxBatch = 256

func newConfirmBatcher(s *Store, writers, size int) *confirmBatcher {
	b := &confirmBatcher{groupCommit: newGroupCommit[*confirmRequest](size, confirmMaxBatch), s: s}
	b.start(writers, b.commit)
	return b
}

// add queues one confirmation and waits for its outcome. A full queue
// waits for room (the request's context bounds the wait): a confirmation
// is the signer's one click, not something to shed.
func (b *confirmBatcher) add(ctx context.Context, tokenHash, commitment string) (string, bool, error) {
	r := &confirmRequest{tokenHash: tokenHash, commitment: commitment, done: make(chan struct{})}
	if err := b.enqueue(ctx, r, true); err != nil {
		if errors.Is(err, errClosed) {
			return "", false, err
		}
		return "", false, fmt.Errorf("store: confirm signature: %w", err)
	}
	// Queued: the outcome is awaited even if ctx ends, so that nobody is
	// told "not confirmed" about a confirmation that commits.
	select {
	case <-r.done:
	case <-b.stopped:
		select {
		case <-r.done:
		default:
			return "", false, errClosed
		}
	}
	return r.slug, r.fresh, r.err
}

// commit confirms a batch in one transaction and answers each request. If
// the transaction fails, each request is tried alone, so that one bad row
// (or a deadlock between two batches) does not fail the others.
func (b *confirmBatcher) commit(batch []*confirmRequest) {
	if len(batch) == 0 {
		return
	}
	ctx := context.Background()
	// One request per token; a repeat gets its first's answer, not fresh.
	first := make(map[string]*confirmRequest, len(batch))
	unique := batch[:0:0]
	for _, r := range batch {
		if _, ok := first[r.tokenHash]; !ok {
			first[r.tokenHash] = r
			unique = append(unique, r)
		}
	}
	b.commits.Add(1)
	b.requestsDone.Add(int64(len(batch)))
	err := b.s.confirmMany(ctx, unique)
	if err != nil {
		for _, r := range unique {
			b.commits.Add(1)
			r.err = b.s.confirmMany(ctx, []*confirmRequest{r})
		}
	}
	for _, r := range batch {
		if f := first[r.tokenHash]; f != r {
			r.slug, r.fresh, r.err = f.slug, false, f.err
		}
		close(r.done)
	}
}

// confirmed is a signature a batch's UPDATE confirmed, or found confirmed.
type confirmed struct {
	ConfirmTokenHash string
	CampaignID       string
	Flagged          bool
	FlagReason       string
}

// confirmMany confirms reqs (distinct tokens) in one transaction and fills
// in each one's answer. The error is the transaction's: then no answer
// counts.
func (s *Store) confirmMany(ctx context.Context, reqs []*confirmRequest) error {
	t := now()
	for _, r := range reqs {
		r.slug, r.fresh, r.err = "", false, nil
	}
	if s.postgres {
		return s.confirmManyPostgres(ctx, reqs, t)
	}
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		hits, err := s.confirmPending(tx, reqs, t)
		if err != nil {
			return translate("confirm signature", err)
		}
		byToken := make(map[string]*confirmRequest, len(reqs))
		for _, r := range reqs {
			byToken[r.tokenHash] = r
		}
		campaigns := map[string]string{}
		var evs []LogEvent
		for _, h := range hits {
			r := byToken[h.ConfirmTokenHash]
			r.fresh = true
			r.slug = h.CampaignID // replaced by the slug below
			campaigns[h.CampaignID] = ""
			evs = append(evs, confirmationEvents(h.CampaignID, r.commitment, h.Flagged, h.FlagReason, t)...)
		}
		// The rest were confirmed before (harmless: no second receipt), or
		// are unknown, expired or no longer pending.
		var missed []string
		for _, r := range reqs {
			if !r.fresh {
				missed = append(missed, r.tokenHash)
			}
		}
		if len(missed) > 0 {
			var already []confirmed
			err := tx.Model(&Signature{}).Select("confirm_token_hash, campaign_id").
				Where("confirm_token_hash IN ? AND status = ?", missed, SignatureConfirmed).Find(&already).Error
			if err != nil {
				return translate("confirm signature", err)
			}
			for _, a := range already {
				byToken[a.ConfirmTokenHash].slug = a.CampaignID
				campaigns[a.CampaignID] = ""
			}
		}
		if err := queueLogEvents(tx, evs...); err != nil {
			return err
		}
		if len(campaigns) > 0 {
			ids := make([]string, 0, len(campaigns))
			for id := range campaigns {
				ids = append(ids, id)
			}
			var rows []struct{ ID, Slug string }
			if err := tx.Model(&Campaign{}).Select("id, slug").Where("id IN ?", ids).Find(&rows).Error; err != nil {
				return translate("confirm signature", err)
			}
			for _, c := range rows {
				campaigns[c.ID] = c.Slug
			}
		}
		for _, r := range reqs {
			if r.slug == "" {
				r.err = translate("confirm signature", gorm.ErrRecordNotFound)
				continue
			}
			r.slug = campaigns[r.slug]
		}
		return nil
	})
}

// confirmPending confirms those of reqs whose signature is pending and
// unexpired, and returns them. SQLite only (PostgreSQL confirms a batch in
// one statement, see confirmManyPostgres): one writer and no round trips,
// so the batch's win is its one commit.
func (s *Store) confirmPending(tx *gorm.DB, reqs []*confirmRequest, t time.Time) ([]confirmed, error) {
	var hits []confirmed
	for _, r := range reqs {
		var h []confirmed
		err := tx.Raw(`UPDATE signatures SET status = ?, confirmed_at = ?, receipt_commitment = ?
			WHERE confirm_token_hash = ? AND status = ? AND token_expires_at > ?
			RETURNING confirm_token_hash, campaign_id, flagged, flag_reason`,
			SignatureConfirmed, t, r.commitment, r.tokenHash, SignaturePending, t).Scan(&h).Error
		if err != nil {
			return nil, err
		}
		hits = append(hits, h...)
	}
	return hits, nil
}
