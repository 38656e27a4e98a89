package store

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"time"

	"gorm.io/gorm"
)

// Signer update statuses.
const (
	UpdateDraft   = "draft"
	UpdateSending = "sending"
	UpdateSent    = "sent"
)

// SignerUpdate is news that staff send to a campaign's signers who asked
// for updates, in each signer's language.
type SignerUpdate struct {
	ID           string
	CampaignID   string
	Subject      string
	Body         string // Markdown
	Translations UpdateTexts
	Status       string
	Recipients   int64
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	SentAt       *time.Time
}

// TableName names the updates table.
func (SignerUpdate) TableName() string { return "signer_updates" }

// UpdateText is an update's subject and body in one language.
type UpdateText struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// UpdateTexts maps a language to its text, stored as JSON.
type UpdateTexts map[string]UpdateText

// Scan reads the JSON column.
func (t *UpdateTexts) Scan(src any) error {
	s, err := scanText(src)
	if err != nil {
		return err
	}
	*t = UpdateTexts{}
	if s == "" {
		return nil
	}
	return json.Unmarshal([]byte(s), t)
}

// Value writes the JSON column.
func (t UpdateTexts) Value() (driver.Value, error) {
	if t == nil {
		t = UpdateTexts{}
	}
	b, err := json.Marshal(map[string]UpdateText(t))
	return string(b), err
}

// CreateSignerUpdate stores a new draft update, audited.
func (s *Store) CreateSignerUpdate(ctx context.Context, u *SignerUpdate, audit *AuditEntry) error {
	t := now()
	u.ID, u.Status, u.CreatedAt, u.UpdatedAt = newID(), UpdateDraft, t, t
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(u).Error; err != nil {
			return translate("create signer update", err)
		}
		return writeAudit(tx, audit, u.ID)
	})
}

// SaveSignerUpdate stores a draft's new texts; a sending or sent update is
// ErrConflict.
func (s *Store) SaveSignerUpdate(ctx context.Context, u *SignerUpdate) error {
	u.UpdatedAt = now()
	res := s.conn(ctx).Model(&SignerUpdate{}).Where("id = ? AND status = ?", u.ID, UpdateDraft).
		Updates(map[string]any{"subject": u.Subject, "body": u.Body, "translations": u.Translations, "updated_at": u.UpdatedAt})
	if res.Error != nil {
		return translate("save signer update", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrConflict
	}
	return nil
}

// SignerUpdateByID returns one update of a campaign.
func (s *Store) SignerUpdateByID(ctx context.Context, campaignID, id string) (SignerUpdate, error) {
	var u SignerUpdate
	err := s.conn(ctx).Where("id = ? AND campaign_id = ?", id, campaignID).Take(&u).Error
	return u, translate("signer update", err)
}

// SignerUpdates lists a campaign's updates, newest first.
func (s *Store) SignerUpdates(ctx context.Context, campaignID string) ([]SignerUpdate, error) {
	var us []SignerUpdate
	err := s.conn(ctx).Where("campaign_id = ?", campaignID).Order("created_at DESC, id DESC").Find(&us).Error
	return us, translate("signer updates", err)
}

// updateRecipients narrows to the signatures an update goes to: confirmed,
// counted, asked for updates, sealed address still kept. Withdrawn
// signatures are gone, and retention clears the address.
func updateRecipients(db *gorm.DB, campaignID string) *gorm.DB {
	return counted(db.Model(&Signature{})).
		Where("campaign_id = ? AND updates = ? AND email_sealed IS NOT NULL AND anonymised_at IS NULL", campaignID, true)
}

// LanguageCount is a number of update recipients in one language ("" for
// signers from before languages were kept).
type LanguageCount struct {
	Language string `json:"language"`
	Count    int64  `json:"count"`
}

// UpdateRecipientCounts counts who would receive an update now, by
// language, without opening anything.
func (s *Store) UpdateRecipientCounts(ctx context.Context, campaignID string) ([]LanguageCount, error) {
	var rows []LanguageCount
	err := updateRecipients(s.conn(ctx), campaignID).Select("language, count(*) AS count").
		Group("language").Order("language").Scan(&rows).Error
	return rows, translate("update recipient counts", err)
}

// UpdateRecipient is one signer to send an update to: the sealed address,
// opened by the caller in memory.
type UpdateRecipient struct {
	ID          string
	EmailSealed string
	Language    string
}

// StartSignerUpdate marks an update as sending (a draft, or one whose send
// was interrupted) with its number of recipients; ErrConflict if sent.
func (s *Store) StartSignerUpdate(ctx context.Context, campaignID, id string, audit *AuditEntry) error {
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := updateRecipients(tx, campaignID).Count(&n).Error; err != nil {
			return translate("start signer update", err)
		}
		res := tx.Model(&SignerUpdate{}).Where("id = ? AND campaign_id = ? AND status IN ?", id, campaignID, []string{UpdateDraft, UpdateSending}).
			Updates(map[string]any{"status": UpdateSending, "recipients": n, "updated_at": now()})
		if res.Error != nil {
			return translate("start signer update", res.Error)
		}
		if res.RowsAffected == 0 {
			return ErrConflict
		}
		audit.RowCount = n
		return writeAudit(tx, audit, id)
	})
}

// EachUpdateRecipientBatch calls fn with the update's recipients in pages
// of up to size, in id order, so that a send keeps memory flat.
func (s *Store) EachUpdateRecipientBatch(ctx context.Context, campaignID string, size int, fn func([]UpdateRecipient) error) error {
	after := ""
	for {
		q := updateRecipients(s.conn(ctx), campaignID).Select("id, email_sealed, language").Order("id").Limit(size)
		if after != "" {
			q = q.Where("id > ?", after)
		}
		var batch []UpdateRecipient
		if err := q.Scan(&batch).Error; err != nil {
			return translate("update recipients", err)
		}
		if len(batch) > 0 {
			if err := fn(batch); err != nil {
				return err
			}
			after = batch[len(batch)-1].ID
		}
		if len(batch) < size {
			return nil
		}
	}
}

// FinishSignerUpdate marks an update as sent: every delivery is queued.
func (s *Store) FinishSignerUpdate(ctx context.Context, id string) error {
	t := now()
	err := s.conn(ctx).Model(&SignerUpdate{}).Where("id = ?", id).
		Updates(map[string]any{"status": UpdateSent, "sent_at": t, "updated_at": t}).Error
	return translate("finish signer update", err)
}

// UpdateDeliveryCounts counts an update's deliveries by mail status.
func (s *Store) UpdateDeliveryCounts(ctx context.Context, updateID string) (map[string]int64, error) {
	var rows []struct {
		Status string
		N      int64
	}
	err := s.conn(ctx).Model(&MailMessage{}).Select("status, count(*) AS n").
		Where("dedupe_key LIKE ?", "update:"+updateID+":%").Group("status").Scan(&rows).Error
	counts := map[string]int64{}
	for _, r := range rows {
		counts[r.Status] = r.N
	}
	return counts, translate("update delivery counts", err)
}

// UnsubscribeSigner stops updates to a signature: the sealed address is
// deleted and update mail still queued for it goes too. An unknown or
// withdrawn signature is ErrNotFound.
func (s *Store) UnsubscribeSigner(ctx context.Context, signatureID string, updateKind string) error {
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Signature{}).Where("id = ?", signatureID).
			Updates(map[string]any{"updates": false, "email_sealed": nil, "email_encrypted": nil})
		if res.Error != nil {
			return translate("unsubscribe signer", res.Error)
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		err := tx.Where("ref = ? AND kind = ? AND status = ?", signatureID, updateKind, MailQueued).Delete(&MailMessage{}).Error
		return translate("unsubscribe signer", err)
	})
}

// ScrubClosedUpdates has the database let go of what updates sent after
// their campaign closed left behind, and returns how many updates it did.
// Such a send queues the opened addresses again (under DATA_KEY); once
// every delivery of an update is finished (sent, or failed for good), its
// recipients are gone from the live rows but not from the old row
// versions, so the mail tables are rewritten as at close (scrubDeleted).
// Housekeeping runs it; an update whose scrub could not be completed (an
// old transaction still ran) is tried again next time.
func (s *Store) ScrubClosedUpdates(ctx context.Context) (int64, error) {
	var ids []string
	err := s.conn(ctx).Table("signer_updates u").Joins("JOIN campaigns c ON c.id = u.campaign_id").
		Where("c.status = ? AND c.shredded_at IS NOT NULL AND u.status = ? AND u.scrubbed_at IS NULL AND u.sent_at >= c.shredded_at", StatusClosed, UpdateSent).
		Where("NOT EXISTS (SELECT 1 FROM mail_messages m WHERE m.status = ? AND m.dedupe_key LIKE 'update:' || u.id || ':%')", MailQueued).
		Pluck("u.id", &ids).Error
	if err != nil || len(ids) == 0 {
		return 0, translate("scrub closed updates", err)
	}
	if !s.scrubDeleted(ctx, s.currentXID(ctx), mailScrubTables...) {
		return 0, nil
	}
	err = s.conn(ctx).Model(&SignerUpdate{}).Where("id IN ?", ids).Update("scrubbed_at", now()).Error
	return int64(len(ids)), translate("scrub closed updates", err)
}
