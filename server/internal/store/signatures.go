package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
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

// SignOutcome says what a signing request did, for the caller's metrics and
// tests only: the public answer is the same in every case (privacy rule 6).
type SignOutcome int

// The outcomes of a signing request.
const (
	SignCreated   SignOutcome = iota // a new pending signature, email queued
	SignResent                       // still pending: new links emailed
	SignUnchanged                    // confirmed already, or resent too often: nothing done
)

// MaxResends bounds how often a pending signature's email is sent again.
const MaxResends = 3

// Sign stores a new pending signature and queues its confirmation email in
// one transaction. If the address already signed this campaign and is still
// pending, it takes the new details and tokens and queues the email again
// (at most MaxResends times); if confirmed, it does nothing. mail is the
// email to queue, addressed by the caller.
func (s *Store) Sign(ctx context.Context, sig *Signature, domain string, mail Mail) (SignOutcome, error) {
	t := now()
	sig.ID = newID()
	sig.CreatedAt = t
	sig.Status = SignaturePending
	if s.postgres {
		created, err := s.signOneStatement(ctx, sig, domain, mail)
		if err != nil || created {
			return SignCreated, err
		}
	}
	outcome := SignUnchanged
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(sig)
		if res.Error != nil {
			return translate("sign", res.Error)
		}
		if res.RowsAffected == 1 {
			outcome = SignCreated
			return enqueue(tx, domain, mail)
		}
		upd := tx.Model(&Signature{}).
			Where("campaign_id = ? AND email_hash = ? AND status = ? AND resends < ?", sig.CampaignID, sig.EmailHash, SignaturePending, MaxResends).
			Updates(map[string]any{
				"name": sig.Name, "country": sig.Country, "comment": sig.Comment, "visibility": sig.Visibility,
				"updates": sig.Updates, "email_encrypted": sig.EmailEncrypted, "ref_code": sig.RefCode,
				"email_sealed": sig.EmailSealed, "name_sealed": sig.NameSealed, "comment_sealed": sig.CommentSealed,
				"has_comment": sig.HasComment, "language": sig.Language, "count_only": sig.CountOnly,
				"confirm_token_hash": sig.ConfirmTokenHash, "withdraw_token_hash": sig.WithdrawTokenHash,
				"token_expires_at": sig.TokenExpiresAt, "resends": gorm.Expr("resends + 1"),
				"flagged": gorm.Expr("flagged OR ?", sig.Flagged), "ip_hash": sig.IPHash,
			})
		if upd.Error != nil {
			return translate("sign again", upd.Error)
		}
		if upd.RowsAffected == 1 {
			outcome = SignResent
			return enqueue(tx, domain, mail)
		}
		return nil
	})
	return outcome, err
}

// signOneStatement is the hot path of signing on PostgreSQL: the new
// signature and its email in one statement (a data-modifying CTE), so one
// round trip and one implicit transaction instead of four round trips. It
// reports false when the address had signed already, leaving that case to
// the transaction in Sign.
func (s *Store) signOneStatement(ctx context.Context, sig *Signature, domain string, mail Mail) (bool, error) {
	t := sig.CreatedAt
	msgID := newID()
	lang := mail.Language
	if lang == "" {
		lang = "en"
	}
	res := s.conn(ctx).Exec(`WITH s AS (
		INSERT INTO signatures (id, campaign_id, email_hash, email_encrypted, email_domain_hash, email_provider,
			name, country, comment, visibility, updates, ref_code, status, flagged, flag_reason,
			confirm_token_hash, withdraw_token_hash, token_expires_at, resends, ip_hash, created_at,
			email_sealed, name_sealed, comment_sealed, has_comment, language, count_only)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (campaign_id, email_hash) DO NOTHING
		RETURNING id)
	INSERT INTO mail_messages (id, kind, ref, recipient, language, params, message_id, status, attempts, next_attempt_at, leased_by, last_error, created_at)
	SELECT ?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, '', '', ? FROM s`,
		sig.ID, sig.CampaignID, sig.EmailHash, sig.EmailEncrypted, sig.EmailDomainHash, sig.EmailProvider,
		sig.Name, sig.Country, sig.Comment, sig.Visibility, sig.Updates, sig.RefCode, sig.Status, sig.Flagged, sig.FlagReason,
		sig.ConfirmTokenHash, sig.WithdrawTokenHash, sig.TokenExpiresAt, sig.IPHash, t,
		sig.EmailSealed, sig.NameSealed, sig.CommentSealed, sig.HasComment, sig.Language, sig.CountOnly,
		msgID, mail.Kind, mail.Ref, mail.Recipient, lang, string(mail.Params), msgID+"@"+domain, t, t)
	if res.Error != nil {
		return false, translate("sign", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// ConfirmSignature confirms the signature of a confirmation token and
// returns its campaign's slug. Confirming twice is harmless. An unknown or
// expired token is ErrNotFound.
func (s *Store) ConfirmSignature(ctx context.Context, tokenHash string) (string, error) {
	t := now()
	var slug string
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var row struct {
			CampaignID string
			Status     string
			Expires    time.Time `gorm:"column:token_expires_at"`
		}
		err := tx.Model(&Signature{}).Select("campaign_id, status, token_expires_at").
			Where("confirm_token_hash = ?", tokenHash).Take(&row).Error
		if err != nil {
			return translate("confirm signature", err)
		}
		switch {
		case row.Status == SignaturePending && row.Expires.After(t):
			err := tx.Model(&Signature{}).Where("confirm_token_hash = ? AND status = ?", tokenHash, SignaturePending).
				Updates(map[string]any{"status": SignatureConfirmed, "confirmed_at": t}).Error
			if err != nil {
				return translate("confirm signature", err)
			}
		case row.Status == SignatureConfirmed:
		default:
			return translate("confirm signature", gorm.ErrRecordNotFound)
		}
		return tx.Model(&Campaign{}).Where("id = ?", row.CampaignID).Pluck("slug", &slug).Error
	})
	return slug, err
}

// WithdrawSignature deletes the signature of a withdrawal token, with all
// its personal data, at once. An unknown token is ErrNotFound.
func (s *Store) WithdrawSignature(ctx context.Context, tokenHash string) (string, error) {
	var slug string
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var sig Signature
		if err := tx.Select("id, campaign_id").Where("withdraw_token_hash = ?", tokenHash).Take(&sig).Error; err != nil {
			return translate("withdraw signature", err)
		}
		if err := tx.Where("id = ?", sig.ID).Delete(&Signature{}).Error; err != nil {
			return translate("withdraw signature", err)
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

// SignatureCounts returns the counted signatures of every campaign by id.
func (s *Store) SignatureCounts(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		CampaignID string
		N          int64
	}
	err := counted(s.conn(ctx).Model(&Signature{})).Select("campaign_id, count(*) AS n").Group("campaign_id").Scan(&rows).Error
	if err != nil {
		return nil, translate("signature counts", err)
	}
	counts := make(map[string]int64, len(rows))
	for _, r := range rows {
		counts[r.CampaignID] = r.N
	}
	return counts, nil
}

// SignatureCount returns the counted signatures of one campaign.
func (s *Store) SignatureCount(ctx context.Context, campaignID string) (int64, error) {
	var n int64
	err := counted(s.conn(ctx).Model(&Signature{})).Where("campaign_id = ?", campaignID).Count(&n).Error
	return n, translate("signature count", err)
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
