package store

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// ErrEndorsementState refuses a review step that the endorsement's status
// does not allow (approving one that is not verified, say).
var ErrEndorsementState = errorString("the endorsement's status does not allow this")

// EndorsementFilter narrows staff lists and exports. Empty fields match
// everything.
type EndorsementFilter struct {
	Status     string
	CampaignID string
}

func (f EndorsementFilter) apply(db *gorm.DB) *gorm.DB {
	if f.Status != "" {
		db = db.Where("e.status = ?", f.Status)
	}
	if f.CampaignID != "" {
		db = db.Where("e.campaign_id = ?", f.CampaignID)
	}
	return db
}

// ReviewedEndorsement is an endorsement as staff see it: with its
// campaign's slug and the endorsement it looks like a duplicate of.
type ReviewedEndorsement struct {
	Endorsement
	CampaignSlug    string
	DuplicateName   *string
	DuplicateStatus *string
}

func reviewQuery(db *gorm.DB) *gorm.DB {
	return db.Table("endorsements e").
		Select("e.*, c.slug AS campaign_slug, d.display_name AS duplicate_name, d.status AS duplicate_status").
		Joins("JOIN campaigns c ON c.id = e.campaign_id").
		Joins("LEFT JOIN endorsements d ON d.id = e.duplicate_of")
}

// ListEndorsements returns up to limit endorsements matching f, oldest
// first (a review queue is worked in order), after the cursor (the id of
// the last row of the page before; ids are time-ordered).
func (s *Store) ListEndorsements(ctx context.Context, f EndorsementFilter, after string, limit int) ([]ReviewedEndorsement, error) {
	q := f.apply(reviewQuery(s.conn(ctx))).Order("e.id").Limit(limit)
	if after != "" {
		q = q.Where("e.id > ?", after)
	}
	var rows []ReviewedEndorsement
	if err := q.Scan(&rows).Error; err != nil {
		return nil, translate("list endorsements", err)
	}
	return rows, s.loadReviewedCalls(ctx, rows)
}

// EndorsementByID returns one endorsement as staff see it.
func (s *Store) EndorsementByID(ctx context.Context, id string) (ReviewedEndorsement, error) {
	var rows []ReviewedEndorsement
	if err := reviewQuery(s.conn(ctx)).Where("e.id = ?", id).Limit(1).Scan(&rows).Error; err != nil {
		return ReviewedEndorsement{}, translate("endorsement by id", err)
	}
	if len(rows) == 0 {
		return ReviewedEndorsement{}, translate("endorsement by id", gorm.ErrRecordNotFound)
	}
	return rows[0], s.loadReviewedCalls(ctx, rows)
}

// loadReviewedCalls completes rows as staff see them: their calls, and
// the contact person opened in memory while it is kept.
func (s *Store) loadReviewedCalls(ctx context.Context, rows []ReviewedEndorsement) error {
	es := make([]Endorsement, len(rows))
	for i := range rows {
		if err := s.openContact(&rows[i].Endorsement); err != nil {
			return err
		}
		es[i] = rows[i].Endorsement
	}
	if err := s.loadEndorsementCalls(ctx, es); err != nil {
		return err
	}
	for i := range rows {
		rows[i].CallIDs = es[i].CallIDs
	}
	return nil
}

// EndorsementStatusCounts counts endorsements by status, confidential ones
// included, for one campaign or (empty id) all.
func (s *Store) EndorsementStatusCounts(ctx context.Context, campaignID string) (map[string]int64, error) {
	var rows []struct {
		Status string
		N      int64
	}
	q := s.conn(ctx).Model(&Endorsement{}).Select("status, count(*) AS n").Group("status")
	if campaignID != "" {
		q = q.Where("campaign_id = ?", campaignID)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, translate("endorsement status counts", err)
	}
	counts := map[string]int64{EndorsementUnverified: 0, EndorsementAwaitingReview: 0, EndorsementApproved: 0, EndorsementRejected: 0}
	for _, r := range rows {
		counts[r.Status] = r.N
	}
	return counts, nil
}

// CountEndorsements counts the endorsements matching f.
func (s *Store) CountEndorsements(ctx context.Context, f EndorsementFilter) (int64, error) {
	var n int64
	err := f.apply(s.conn(ctx).Table("endorsements e")).Count(&n).Error
	return n, translate("count endorsements", err)
}

// EachEndorsement calls fn for every endorsement matching f, oldest first,
// reading in pages; it returns how many rows it passed to fn.
func (s *Store) EachEndorsement(ctx context.Context, f EndorsementFilter, fn func(ReviewedEndorsement) error) (int64, error) {
	const page = 500
	var n int64
	after := ""
	for {
		rows, err := s.ListEndorsements(ctx, f, after, page)
		if err != nil {
			return n, err
		}
		for _, r := range rows {
			if err := fn(r); err != nil {
				return n, err
			}
			n++
		}
		if len(rows) < page {
			return n, nil
		}
		after = rows[len(rows)-1].ID
	}
}

// reviewStep is one moderator's change of an endorsement's status.
type reviewStep struct {
	from    []string       // the statuses it may start from
	changes map[string]any // what it sets
	mail    EndorsementMail
}

// review applies a step to endorsement id in one transaction with its
// audit record and, when the step has one, the email to the contact.
func (s *Store) review(ctx context.Context, id string, step reviewStep, audit *AuditEntry) error {
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var e Endorsement
		if err := tx.Where("id = ?", id).Take(&e).Error; err != nil {
			return translate("review endorsement", err)
		}
		allowed := false
		for _, st := range step.from {
			allowed = allowed || e.Status == st
		}
		if !allowed {
			return ErrEndorsementState
		}
		res := tx.Model(&Endorsement{}).Where("id = ? AND status = ?", id, e.Status).Updates(step.changes)
		if res.Error != nil {
			return translate("review endorsement", res.Error)
		}
		if res.RowsAffected == 0 {
			return ErrEndorsementState
		}
		if err := writeAudit(tx, audit, id); err != nil {
			return err
		}
		if step.mail == nil || e.ContactEncrypted == nil {
			return nil
		}
		if err := tx.Where("id = ?", id).Take(&e).Error; err != nil {
			return translate("review endorsement", err)
		}
		if err := s.openContact(&e); err != nil || e.ContactEmail == nil {
			return err
		}
		var camp Campaign
		if err := tx.Select("id, slug, title, language").Where("id = ?", e.CampaignID).Take(&camp).Error; err != nil {
			return translate("review endorsement", err)
		}
		m := step.mail(e, camp)
		m.Recipient, m.Language, m.Ref = *e.ContactEmail, e.Language, e.CampaignID
		if err := s.enqueue(tx, m); err != nil {
			return err
		}
		// Review is done: the contact person stays only sealed to the
		// coalition (issue 14), so the server's own copy goes.
		// (A rejection keeps it: a moderator may still approve, and say so.)
		if e.ContactSealed != nil && e.Status == EndorsementApproved {
			err := tx.Model(&Endorsement{}).Where("id = ?", id).Updates(map[string]any{"contact_encrypted": nil, "contact_hash": nil}).Error
			return translate("review endorsement", err)
		}
		return nil
	})
}

// ApproveEndorsement approves an endorsement awaiting review (or one
// rejected before: a moderator may change their mind) and emails the
// contact.
func (s *Store) ApproveEndorsement(ctx context.Context, id string, audit *AuditEntry, mail EndorsementMail) error {
	return s.review(ctx, id, reviewStep{
		from: []string{EndorsementAwaitingReview, EndorsementRejected},
		changes: map[string]any{"status": EndorsementApproved, "reject_reason": "", "reviewed_at": now(),
			"reviewed_by": audit.ActorEmail, "verify_token_hash": nil},
		mail: mail,
	}, audit)
}

// RejectEndorsement rejects an endorsement awaiting review with a reason,
// and emails the contact with it. An approved endorsement must be revoked
// first.
func (s *Store) RejectEndorsement(ctx context.Context, id, reason string, audit *AuditEntry, mail EndorsementMail) error {
	return s.review(ctx, id, reviewStep{
		from: []string{EndorsementAwaitingReview},
		changes: map[string]any{"status": EndorsementRejected, "reject_reason": reason, "reviewed_at": now(),
			"reviewed_by": audit.ActorEmail, "verify_token_hash": nil},
		mail: mail,
	}, audit)
}

// RevokeEndorsement takes an approval back: the endorsement awaits review
// again and is no longer shown or counted. The contact is not emailed.
func (s *Store) RevokeEndorsement(ctx context.Context, id string, audit *AuditEntry) error {
	return s.review(ctx, id, reviewStep{
		from:    []string{EndorsementApproved},
		changes: map[string]any{"status": EndorsementAwaitingReview, "reviewed_at": nil, "reviewed_by": ""},
	}, audit)
}

// SetEndorsementDisplayName changes the name under which an endorsement is
// shown, in any status.
func (s *Store) SetEndorsementDisplayName(ctx context.Context, id, name string, audit *AuditEntry) error {
	return s.review(ctx, id, reviewStep{
		from:    []string{EndorsementUnverified, EndorsementAwaitingReview, EndorsementApproved, EndorsementRejected},
		changes: map[string]any{"display_name": name},
	}, audit)
}

// DeleteUnverifiedEndorsements deletes unverified endorsements whose link
// has expired.
func (s *Store) DeleteUnverifiedEndorsements(ctx context.Context) (int64, error) {
	res := s.conn(ctx).Where("status = ? AND token_expires_at < ?", EndorsementUnverified, now()).Delete(&Endorsement{})
	return res.RowsAffected, translate("delete unverified endorsements", res.Error)
}

// PurgeEndorsementIPHashes clears the IP hashes of endorsements made before
// cutoff (privacy rule 2: 48 hours).
func (s *Store) PurgeEndorsementIPHashes(ctx context.Context, before time.Time) (int64, error) {
	res := s.conn(ctx).Model(&Endorsement{}).Where("ip_hash IS NOT NULL AND created_at < ?", before).Update("ip_hash", nil)
	return res.RowsAffected, translate("purge endorsement ip hashes", res.Error)
}

// AnonymiseEndorsementContacts removes the contact person's name and
// address from the endorsements of campaigns closed for longer than their
// retention period, as AnonymiseExpired does for signatures: the
// organisation and its endorsement stay.
func (s *Store) AnonymiseEndorsementContacts(ctx context.Context) (int64, error) {
	t := now()
	var campaigns []Campaign
	err := s.conn(ctx).Select("id, closed_at, retention_days").
		Where("status = ? AND closed_at IS NOT NULL", StatusClosed).Find(&campaigns).Error
	if err != nil {
		return 0, translate("anonymise endorsements", err)
	}
	var total int64
	for _, c := range campaigns {
		if c.ClosedAt.Add(time.Duration(c.RetentionDays) * 24 * time.Hour).After(t) {
			continue
		}
		res := s.conn(ctx).Model(&Endorsement{}).Where("campaign_id = ? AND anonymised_at IS NULL", c.ID).Updates(map[string]any{
			"contact_encrypted": nil, "contact_hash": nil, "contact_sealed": nil, "ip_hash": nil, "verify_token_hash": nil, "anonymised_at": t,
		})
		if res.Error != nil {
			return total, translate("anonymise endorsements", res.Error)
		}
		total += res.RowsAffected
	}
	return total, nil
}
