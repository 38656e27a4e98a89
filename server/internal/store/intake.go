package store

import (
	"context"
	"errors"
	"sort"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// IntakeEntry is one accepted signing request waiting for the intake
// worker: the request sealed under the data key (the store never sees it
// in plain text).
type IntakeEntry struct {
	ID         string
	CampaignID string
	Payload    string
	CreatedAt  time.Time
}

// TableName names the intake table.
func (IntakeEntry) TableName() string { return "signature_intake" }

// ErrRetryLater, from decide, leaves an entry in the intake for a later
// batch instead of dropping it.
var ErrRetryLater = errors.New("retry later")

// ErrBusy is returned when the intake cannot take another request now: its
// queue is full. The caller should ask the client to come back shortly.
var ErrBusy = errors.New("busy")

// AcceptSignature records one signing request, sealed, for the intake
// worker. It returns once the row is committed (durable), so the caller may
// answer 202; concurrent calls share one multi-row insert and one commit.
// When the queue of waiting requests is full it returns ErrBusy at once.
// Its work is the same whatever the request holds.
func (s *Store) AcceptSignature(ctx context.Context, campaignID, payload string) error {
	return s.intake.add(ctx, IntakeEntry{ID: newID(), CampaignID: campaignID, Payload: payload, CreatedAt: now()})
}

// IntakeStats reports how many signing requests the intake has written and
// in how many commits: their ratio is the group commit's mean batch.
func (s *Store) IntakeStats() (requests, commits int64) {
	return s.intake.requestsDone.Load(), s.intake.commits.Load()
}

// IntakeFull reports whether AcceptSignature would refuse a request now, so
// that a handler can shed load before doing any other work.
func (s *Store) IntakeFull() bool { return s.intake.full() }

// SignIntent is what the intake worker asks the store to do with one entry,
// prepared in memory before the store knows whether the address signed.
type SignIntent struct {
	// Signature is the new signature: details, hashes and new token hashes.
	// The store sets its id, status and creation time.
	Signature *Signature
	// Confirm is queued when the signature is new, or when the address's
	// signature is still pending (its details and tokens are replaced, at
	// most MaxResends times). Its Ref is set to the signature's id.
	Confirm Mail
	// Already is queued when the address's signature is already confirmed:
	// it tells so and carries a new withdrawal link, whose hash
	// (Signature.WithdrawTokenHash) replaces the old one. It shares the
	// MaxResends bound. Its Ref is set to the signature's id.
	Already Mail
}

// IntakeResult counts what one ProcessIntake call did.
type IntakeResult struct {
	Created, Resent, Already, Unchanged int
	// Dropped counts entries that decide could not read: deleted unused.
	Dropped int
	// Errors are decide's errors for the dropped entries, for the log.
	Errors []error
}

// Taken is how many entries the call handled.
func (r IntakeResult) Taken() int { return r.Created + r.Resent + r.Already + r.Unchanged + r.Dropped }

// Mailed reports whether any email was queued.
func (r IntakeResult) Mailed() bool { return r.Created+r.Resent+r.Already > 0 }

// ProcessIntake takes up to limit waiting entries, oldest first, asks
// decide what each asks for, applies it and deletes the entries, all in one
// transaction: an entry is gone if and only if what it asked for was done,
// so a worker that dies midway leaves its entries for the next. On
// PostgreSQL several workers take entries side by side (SKIP LOCKED); on
// SQLite the transaction holds the one write lock. An entry decide fails on
// is deleted unused and its error reported in the result.
func (s *Store) ProcessIntake(ctx context.Context, limit int, domain string, decide func(IntakeEntry) (SignIntent, error)) (IntakeResult, error) {
	var res IntakeResult
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		res = IntakeResult{}
		q := tx.Order("id").Limit(limit)
		if s.postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
		}
		var entries []IntakeEntry
		if err := q.Find(&entries).Error; err != nil {
			return translate("take intake", err)
		}
		if len(entries) == 0 {
			return nil
		}
		intents := make([]SignIntent, 0, len(entries))
		ids := make([]string, 0, len(entries))
		for _, e := range entries {
			in, err := decide(e)
			if errors.Is(err, ErrRetryLater) {
				continue
			}
			ids = append(ids, e.ID)
			if err != nil {
				res.Dropped++
				res.Errors = append(res.Errors, err)
				continue
			}
			intents = append(intents, in)
		}
		// One order of row locks for every worker, so that two batches that
		// hold the same addresses cannot deadlock.
		sort.Slice(intents, func(i, j int) bool {
			a, b := intents[i].Signature, intents[j].Signature
			return a.CampaignID < b.CampaignID || (a.CampaignID == b.CampaignID && a.EmailHash < b.EmailHash)
		})
		for _, in := range intents {
			outcome, err := applySign(tx, domain, in)
			if err != nil {
				return err
			}
			switch outcome {
			case SignCreated:
				res.Created++
			case SignResent:
				res.Resent++
			case SignAlready:
				res.Already++
			default:
				res.Unchanged++
			}
		}
		if len(ids) == 0 {
			return nil
		}
		return translate("delete intake", tx.Where("id IN ?", ids).Delete(&IntakeEntry{}).Error)
	})
	if err != nil {
		return IntakeResult{}, err
	}
	return res, nil
}

// applySign does what one intent asks, inside the caller's transaction.
func applySign(tx *gorm.DB, domain string, in SignIntent) (SignOutcome, error) {
	sig := in.Signature
	t := now()
	sig.ID, sig.CreatedAt, sig.Status, sig.Resends = newID(), t, SignaturePending, 0
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(sig)
	if res.Error != nil {
		return 0, translate("sign", res.Error)
	}
	if res.RowsAffected == 1 {
		in.Confirm.Ref = sig.ID
		return SignCreated, enqueue(tx, domain, in.Confirm)
	}
	var ids []string
	err := tx.Raw(`UPDATE signatures SET name = ?, country = ?, comment = ?, visibility = ?, updates = ?,
			email_encrypted = ?, ref_code = ?, confirm_token_hash = ?, withdraw_token_hash = ?,
			token_expires_at = ?, resends = resends + 1, flagged = (flagged OR ?), flag_reason = CASE WHEN flagged THEN flag_reason ELSE ? END, ip_hash = ?,
			email_sealed = ?, name_sealed = ?, comment_sealed = ?, has_comment = ?, language = ?, count_only = ?
		WHERE campaign_id = ? AND email_hash = ? AND status = ? AND resends < ? RETURNING id`,
		sig.Name, sig.Country, sig.Comment, sig.Visibility, sig.Updates, sig.EmailEncrypted, sig.RefCode,
		sig.ConfirmTokenHash, sig.WithdrawTokenHash, sig.TokenExpiresAt, sig.Flagged, sig.FlagReason, sig.IPHash,
		sig.EmailSealed, sig.NameSealed, sig.CommentSealed, sig.HasComment, sig.Language, sig.CountOnly,
		sig.CampaignID, sig.EmailHash, SignaturePending, MaxResends).Scan(&ids).Error
	if err != nil {
		return 0, translate("sign again", err)
	}
	if len(ids) == 1 {
		// The links of a still-queued earlier email no longer work: it goes.
		if err := deleteQueuedMail(tx, ids[0]); err != nil {
			return 0, err
		}
		in.Confirm.Ref = ids[0]
		return SignResent, enqueue(tx, domain, in.Confirm)
	}
	err = tx.Raw(`UPDATE signatures SET withdraw_token_hash = ?, resends = resends + 1
		WHERE campaign_id = ? AND email_hash = ? AND status = ? AND resends < ? AND anonymised_at IS NULL RETURNING id`,
		sig.WithdrawTokenHash, sig.CampaignID, sig.EmailHash, SignatureConfirmed, MaxResends).Scan(&ids).Error
	if err != nil {
		return 0, translate("sign again", err)
	}
	if len(ids) == 1 {
		if err := deleteQueuedMail(tx, ids[0]); err != nil {
			return 0, err
		}
		in.Already.Ref = ids[0]
		return SignAlready, enqueue(tx, domain, in.Already)
	}
	return SignUnchanged, nil
}

// deleteQueuedMail deletes the messages still waiting to be sent about the
// given signatures (their ref), with the address, name and live links they
// hold. One a worker is sending at this moment is deleted too: the worker
// checks its lease before the send and finds the message gone.
func deleteQueuedMail(tx *gorm.DB, signatureIDs ...string) error {
	err := tx.Where("ref IN ? AND status = ?", signatureIDs, MailQueued).Delete(&MailMessage{}).Error
	return translate("delete queued mail", err)
}
