package store

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// SignatureFilter narrows staff searches and invalidations. Empty fields
// match everything.
type SignatureFilter struct {
	Status          string
	Country         string
	EmailHash       string // a search by address, hashed by the caller
	EmailDomainHash string
	From, To        *time.Time // created_at range, To exclusive
	Flagged         *bool
	RefCode         string
}

func (f SignatureFilter) apply(db *gorm.DB) *gorm.DB {
	if f.Status != "" {
		db = db.Where("status = ?", f.Status)
	}
	if f.Country != "" {
		db = db.Where("country = ?", f.Country)
	}
	if f.EmailHash != "" {
		db = db.Where("email_hash = ?", f.EmailHash)
	}
	if f.EmailDomainHash != "" {
		db = db.Where("email_domain_hash = ?", f.EmailDomainHash)
	}
	if f.From != nil {
		db = db.Where("created_at >= ?", *f.From)
	}
	if f.To != nil {
		db = db.Where("created_at < ?", *f.To)
	}
	if f.Flagged != nil {
		db = db.Where("flagged = ?", *f.Flagged)
	}
	if f.RefCode != "" {
		db = db.Where("ref_code = ?", f.RefCode)
	}
	return db
}

// SearchSignatures returns up to limit of a campaign's signatures matching
// f, newest first, after the cursor (the id of the last row of the page
// before; ids are time-ordered).
func (s *Store) SearchSignatures(ctx context.Context, campaignID string, f SignatureFilter, after string, limit int) ([]Signature, error) {
	q := f.apply(s.conn(ctx).Where("campaign_id = ?", campaignID)).Order("id DESC").Limit(limit)
	if after != "" {
		q = q.Where("id < ?", after)
	}
	var sigs []Signature
	return sigs, translate("search signatures", q.Find(&sigs).Error)
}

// EachSignature calls fn for every signature of a campaign matching f,
// oldest first, reading in pages so that an export of a million rows keeps
// memory flat. It returns how many rows it passed to fn.
func (s *Store) EachSignature(ctx context.Context, campaignID string, f SignatureFilter, fn func(Signature) error) (int64, error) {
	const page = 1000
	var n int64
	after := ""
	for {
		q := f.apply(s.conn(ctx).Where("campaign_id = ?", campaignID)).Order("id").Limit(page)
		if after != "" {
			q = q.Where("id > ?", after)
		}
		var sigs []Signature
		if err := q.Find(&sigs).Error; err != nil {
			return n, translate("each signature", err)
		}
		for _, sig := range sigs {
			if err := fn(sig); err != nil {
				return n, err
			}
			n++
		}
		if len(sigs) < page {
			return n, nil
		}
		after = sigs[len(sigs)-1].ID
	}
}

// CountSignatures counts a campaign's signatures matching f.
func (s *Store) CountSignatures(ctx context.Context, campaignID string, f SignatureFilter) (int64, error) {
	var n int64
	err := f.apply(s.conn(ctx).Model(&Signature{}).Where("campaign_id = ?", campaignID)).Count(&n).Error
	return n, translate("count signatures", err)
}

// ErrCountChanged refuses an invalidation whose dry-run count no longer
// matches: staff must look at the new number first.
var ErrCountChanged = errorString("the number of matching signatures changed since the count; count again")

type errorString string

func (e errorString) Error() string { return string(e) }

// InvalidateSignatures marks a campaign's pending and confirmed signatures
// matching f as invalidated (they stop counting), but only if exactly
// expected of them match now; with its audit record and the invalidated
// leaves of the transparency log (reason is one of InvalidationReasons), in
// one transaction.
func (s *Store) InvalidateSignatures(ctx context.Context, campaignID string, f SignatureFilter, expected int64, reason string, audit *AuditEntry) (int64, error) {
	var n int64
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		scope := func() *gorm.DB {
			return f.apply(tx.Model(&Signature{}).Where("campaign_id = ? AND status IN ?", campaignID,
				[]string{SignaturePending, SignatureConfirmed}))
		}
		var matching int64
		if err := scope().Count(&matching).Error; err != nil {
			return translate("invalidate signatures", err)
		}
		if matching != expected {
			return ErrCountChanged
		}
		var sigs []loggedSignature
		if err := scope().Select("id, campaign_id, status, flagged, receipt_commitment").Find(&sigs).Error; err != nil {
			return translate("invalidate signatures", err)
		}
		if err := logRemovals(tx, sigs, LogInvalidated, reason, now()); err != nil {
			return err
		}
		res := scope().Updates(map[string]any{"status": SignatureInvalidated, "confirm_token_hash": nil})
		if res.Error != nil {
			return translate("invalidate signatures", res.Error)
		}
		n = res.RowsAffected
		audit.RowCount = n
		return writeAudit(tx, audit, campaignID)
	})
	return n, err
}

// HourBucket counts the signatures made in one hour by one key (a country,
// or an email domain), with how many of them count.
type HourBucket struct {
	Hour    string `json:"hour"`
	Key     string `json:"key"`
	Total   int64  `json:"total"`
	Counted int64  `json:"counted"`
	Flagged int64  `json:"flagged"`
}

// SignaturesByHour groups a campaign's signatures made since a time by hour
// and by column (country, or email_domain_hash with email_provider), so that
// staff can see a surge from one place or one domain.
func (s *Store) SignaturesByHour(ctx context.Context, campaignID string, since time.Time, byDomain bool) ([]HourBucket, error) {
	key := "country"
	if byDomain {
		key = "CASE WHEN email_provider <> '' THEN email_provider ELSE 'hash:' || email_domain_hash END"
	}
	hour := s.hourOf("created_at")
	var rows []HourBucket
	err := s.conn(ctx).Model(&Signature{}).
		Select(hour+" AS hour, "+key+" AS key, count(*) AS total, "+
			"sum(CASE WHEN status = 'confirmed' AND flagged = FALSE THEN 1 ELSE 0 END) AS counted, "+
			"sum(CASE WHEN flagged THEN 1 ELSE 0 END) AS flagged").
		Where("campaign_id = ? AND created_at >= ?", campaignID, since).
		Group(hour + ", " + key).Order("hour, total DESC").Scan(&rows).Error
	return rows, translate("signatures by hour", err)
}

// PurgeIPHashes clears the IP hashes of signatures made before cutoff
// (privacy rule 2: 48 hours).
func (s *Store) PurgeIPHashes(ctx context.Context, before time.Time) (int64, error) {
	res := s.conn(ctx).Model(&Signature{}).Where("ip_hash IS NOT NULL AND created_at < ?", before).Update("ip_hash", nil)
	return res.RowsAffected, translate("purge ip hashes", res.Error)
}

// DeleteUnconfirmed deletes never-confirmed signatures whose token has
// expired (privacy rule 3), those invalidated while pending included, and
// any email about them still queued: with the relay down past the expiry,
// it would otherwise go out later, with its address, name and links, for a
// signature that no longer exists.
func (s *Store) DeleteUnconfirmed(ctx context.Context) (int64, error) {
	var n int64
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var ids []string
		err := tx.Model(&Signature{}).Where("status IN ? AND confirmed_at IS NULL AND token_expires_at < ?",
			[]string{SignaturePending, SignatureInvalidated}, now()).Pluck("id", &ids).Error
		if err != nil {
			return translate("delete unconfirmed", err)
		}
		for len(ids) > 0 {
			chunk := ids[:min(len(ids), 500)]
			ids = ids[len(chunk):]
			if err := deleteQueuedMail(tx, chunk...); err != nil {
				return err
			}
			res := tx.Where("id IN ?", chunk).Delete(&Signature{})
			if res.Error != nil {
				return translate("delete unconfirmed", res.Error)
			}
			n += res.RowsAffected
		}
		return nil
	})
	return n, err
}

// AnonymiseExpired anonymises the signatures of campaigns closed for longer
// than their retention period (privacy rule 4): name, address, comment,
// tokens and hashes go; country and confirmation date stay, so the numbers
// remain honest.
func (s *Store) AnonymiseExpired(ctx context.Context) (int64, error) {
	t := now()
	var campaigns []Campaign
	err := s.conn(ctx).Select("id, closed_at, retention_days").
		Where("status = ? AND closed_at IS NOT NULL", StatusClosed).Find(&campaigns).Error
	if err != nil {
		return 0, translate("anonymise", err)
	}
	var total int64
	for _, c := range campaigns {
		if c.ClosedAt.Add(time.Duration(c.RetentionDays) * 24 * time.Hour).After(t) {
			continue
		}
		res := s.conn(ctx).Model(&Signature{}).Where("campaign_id = ? AND anonymised_at IS NULL", c.ID).Updates(map[string]any{
			"name": nil, "email_encrypted": nil, "comment": nil, "ip_hash": nil,
			"email_sealed": nil, "name_sealed": nil, "comment_sealed": nil, "has_comment": false, "updates": false,
			"email_hash": gorm.Expr("'anonymised:' || id"), "email_domain_hash": "", "email_provider": "",
			"confirm_token_hash": nil, "withdraw_token_hash": nil, "visibility": VisibilityPrivate,
			"ref_code": "", "anonymised_at": t,
		})
		if res.Error != nil {
			return total, translate("anonymise", res.Error)
		}
		total += res.RowsAffected
	}
	return total, nil
}
