package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// Signature statuses and visibility tiers.
const (
	SignaturePending     = "pending"
	SignatureConfirmed   = "confirmed"
	SignatureInvalidated = "invalidated"

	VisibilityPrivate  = "private"
	VisibilityInitials = "initials"
	VisibilityPublic   = "public"
)

// Signature is one citizen's signature of one campaign.
type Signature struct {
	ID                string
	CampaignID        string
	EmailHash         string
	EmailEncrypted    *string
	EmailDomainHash   string
	EmailProvider     string
	Name              *string
	Country           string
	Comment           *string
	Visibility        string
	Updates           bool
	RefCode           string
	Status            string
	Flagged           bool
	FlagReason        string
	ConfirmTokenHash  *string
	WithdrawTokenHash *string
	TokenExpiresAt    time.Time
	Resends           int
	IPHash            *string `gorm:"column:ip_hash"`
	CreatedAt         time.Time
	ConfirmedAt       *time.Time
	AnonymisedAt      *time.Time

	// Sealed to the coalition (age, "s1.…"): the server cannot open them.
	EmailSealed   *string // only for a signer who asked for updates
	NameSealed    *string // a private signer's name (Name is then nil)
	CommentSealed *string
	HasComment    bool
	Language      string // for updates
	CountOnly     bool   // private, no name given at all
}

// MaxResends bounds how many emails after the first one signature causes,
// so that nobody can flood a mailbox through the signing form.
const MaxResends = 3

// ConfirmSignature confirms the signature of a confirmation token and
// returns its campaign's slug. receiptCommitment commits to the signer's
// receipt (see translog): its leaf waits for the next batch of the log.
// fresh is false when it was confirmed already: confirming twice is
// harmless, and gives no second receipt. An unknown or expired token is
// ErrNotFound.
//
// Confirmations are group-committed (see confirmBatcher): the call returns
// once its own is durable.
func (s *Store) ConfirmSignature(ctx context.Context, tokenHash, receiptCommitment string) (slug string, fresh bool, err error) {
	return s.confirms.add(ctx, tokenHash, receiptCommitment)
}

// WithdrawSignature deletes the signature of a withdrawal token, with all
// its personal data and any email about it still queued, at once. An unknown token is ErrNotFound.
func (s *Store) WithdrawSignature(ctx context.Context, tokenHash string) (string, error) {
	var slug string
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var sig loggedSignature
		err := tx.Model(&Signature{}).Select("id, campaign_id, status, flagged, receipt_commitment").
			Where("withdraw_token_hash = ?", tokenHash).Take(&sig).Error
		if err != nil {
			return translate("withdraw signature", err)
		}
		if err := tx.Where("id = ?", sig.ID).Delete(&Signature{}).Error; err != nil {
			return translate("withdraw signature", err)
		}
		// An email about it that is still queued would carry the address, the
		// name and dead links out after the signer asked for all to go.
		if err := deleteQueuedMail(tx, sig.ID); err != nil {
			return err
		}
		if err := logRemovals(tx, []loggedSignature{sig}, LogWithdrawn, "", now()); err != nil {
			return err
		}
		return tx.Model(&Campaign{}).Where("id = ?", sig.CampaignID).Pluck("slug", &slug).Error
	})
	return slug, err
}

// counted narrows a query to the signatures that count: confirmed and not
// shadow-flagged.
func counted(db *gorm.DB) *gorm.DB {
	return db.Where("status = ? AND flagged = ?", SignatureConfirmed, false)
}

// dayOf is the SQL for the UTC date of a timestamp column, as YYYY-MM-DD.
func (s *Store) dayOf(column string) string {
	if s.postgres {
		return "to_char(" + column + ", 'YYYY-MM-DD')"
	}
	return "substr(" + column + ", 1, 10)"
}

// hourOf is the SQL for the UTC hour of a timestamp column, as
// YYYY-MM-DDTHH.
func (s *Store) hourOf(column string) string {
	if s.postgres {
		return "to_char(" + column + ", 'YYYY-MM-DD\"T\"HH24')"
	}
	return "substr(" + column + ", 1, 10) || 'T' || substr(" + column + ", 12, 2)"
}

// CountryCount is a number of signatures from one country.
type CountryCount struct {
	Country string `json:"country"`
	Count   int64  `json:"count"`
}

// DayCount is a number of signatures confirmed on one UTC day.
type DayCount struct {
	Date  string `json:"date"`
	Count int64  `json:"count"`
}

// SignatureStats returns a campaign's counted signatures by country (most
// first) and by day of confirmation (oldest first), unfolded: the caller
// folds small cells.
func (s *Store) SignatureStats(ctx context.Context, campaignID string) ([]CountryCount, []DayCount, error) {
	var countries []CountryCount
	err := counted(s.conn(ctx).Model(&Signature{})).Where("campaign_id = ?", campaignID).
		Select("country, count(*) AS count").Group("country").Order("count DESC, country").Scan(&countries).Error
	if err != nil {
		return nil, nil, translate("signature stats", err)
	}
	var days []DayCount
	day := s.dayOf("confirmed_at")
	err = counted(s.conn(ctx).Model(&Signature{})).Where("campaign_id = ?", campaignID).
		Select(day + " AS date, count(*) AS count").Group(day).Order("date").Scan(&days).Error
	if err != nil {
		return nil, nil, translate("signature stats", err)
	}
	return countries, days, nil
}

// Signer is a listed signature: tiers initials and public only.
type Signer struct {
	ID          string
	Name        string
	Visibility  string
	Country     string
	ConfirmedAt time.Time
}

// ListedSigners returns up to limit listed signers of a campaign, newest
// first, after the cursor (the id of the last signer of the page before).
func (s *Store) ListedSigners(ctx context.Context, campaignID, after string, limit int) ([]Signer, error) {
	q := counted(s.conn(ctx).Model(&Signature{})).
		Select("id, name, visibility, country, confirmed_at").
		Where("campaign_id = ? AND visibility IN ? AND name IS NOT NULL", campaignID, []string{VisibilityInitials, VisibilityPublic}).
		Order("confirmed_at DESC, id DESC").Limit(limit)
	if after != "" {
		var last Signature
		err := s.conn(ctx).Select("id, confirmed_at").Where("id = ? AND campaign_id = ?", after, campaignID).Take(&last).Error
		if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && last.ConfirmedAt == nil) {
			return nil, ErrNotFound
		} else if err != nil {
			return nil, translate("listed signers", err)
		}
		q = q.Where("(confirmed_at < ? OR (confirmed_at = ? AND id < ?))", *last.ConfirmedAt, *last.ConfirmedAt, last.ID)
	}
	var signers []Signer
	return signers, translate("listed signers", q.Scan(&signers).Error)
}
