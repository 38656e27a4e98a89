package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// Digest statuses.
const (
	DigestDraft     = "draft"
	DigestSending   = "sending"
	DigestSent      = "sent"
	DigestCancelled = "cancelled"
)

// KindDigest is the mail kind of a digest delivery.
const KindDigest = "digest"

// Digest is one email to a region's officials about one or more campaigns.
type Digest struct {
	ID         string
	Region     string
	Subject    string
	Intro      string
	Status     string
	Content    *string // the snapshot taken when sending started
	Recipients int64
	ScheduleID *string
	Period     *string
	CreatedBy  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	SendingAt  *time.Time
	SentAt     *time.Time

	Campaigns []DigestCampaign `gorm:"foreignKey:DigestID"`
}

// DigestCampaign is one campaign of a digest, in order.
type DigestCampaign struct {
	DigestID   string `gorm:"primaryKey"`
	CampaignID string `gorm:"primaryKey"`
	Position   int
}

// ErrDigestState refuses an action the digest's status does not allow.
var ErrDigestState = errors.New("the digest's status does not allow this")

// CreateDigest stores a draft (or, for a schedule, a digest of a period:
// a second one for the same schedule and period is ErrConflict).
func (s *Store) CreateDigest(ctx context.Context, d *Digest, campaignIDs []string, audit *AuditEntry) error {
	d.ID = newID()
	d.Status = DigestDraft
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Omit("Campaigns").Create(d).Error; err != nil {
			return translate("create digest", err)
		}
		for i, id := range campaignIDs {
			dc := DigestCampaign{DigestID: d.ID, CampaignID: id, Position: i + 1}
			if err := tx.Create(&dc).Error; err != nil {
				return translate("create digest", err)
			}
			d.Campaigns = append(d.Campaigns, dc)
		}
		return writeAudit(tx, audit, d.ID)
	})
}

// DigestByID returns a digest with its campaigns in order.
func (s *Store) DigestByID(ctx context.Context, id string) (Digest, error) {
	var d Digest
	err := s.conn(ctx).Preload("Campaigns", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Where("id = ?", id).Take(&d).Error
	return d, translate("digest by id", err)
}

// ListDigests lists the newest digests first.
func (s *Store) ListDigests(ctx context.Context, limit int) ([]Digest, error) {
	var ds []Digest
	err := s.conn(ctx).Preload("Campaigns", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Omit("content").Order("created_at DESC, id DESC").Limit(limit).Find(&ds).Error
	return ds, translate("list digests", err)
}

// ErrDigestStarted is the answer to starting a digest that is already
// being sent (by another click or another instance): nothing was changed.
var ErrDigestStarted = errors.New("the digest is being sent already")

// StartSending moves a draft to sending with its content snapshot, queues
// one message per subscribed contact of the region and writes the audit
// record, all in one transaction. Only one caller wins the move from draft
// (on PostgreSQL a second one waits for the first's row lock, then finds no
// draft): to the others it returns ErrDigestStarted, with the recipients
// the winner counted, while the digest is being sent, and ErrDigestState
// once it is sent or cancelled. The queue's dedupe key (the digest and the
// contact) also keeps anyone from being queued twice.
func (s *Store) StartSending(ctx context.Context, id, content string, audit *AuditEntry) (int64, error) {
	var recipients int64
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		t := now()
		res := tx.Model(&Digest{}).Where("id = ? AND status = ?", id, DigestDraft).
			Updates(map[string]any{"status": DigestSending, "content": content, "sending_at": t, "updated_at": t})
		if res.Error != nil {
			return translate("start sending", res.Error)
		}
		var d Digest
		if err := tx.Select("region", "status", "recipients").Where("id = ?", id).Take(&d).Error; err != nil {
			return translate("start sending", err)
		}
		if res.RowsAffected == 0 {
			if d.Status == DigestSending {
				recipients = d.Recipients
				return ErrDigestStarted
			}
			return ErrDigestState
		}
		newID := "lower(hex(randomblob(16)))"
		if s.postgres {
			newID = "replace(gen_random_uuid()::text, '-', '')"
		}
		// One statement, however many contacts: nothing is held in memory.
		// The Message-ID names the digest and the contact, so it is the same
		// whichever instance queues it.
		// The address stays in contacts: the message names the contact, and
		// the queue reads the address when it sends. A contact whose address
		// bounced is skipped until staff clear it.
		err := tx.Exec(`INSERT INTO mail_messages (id, kind, ref, dedupe_key, contact_id, language, params,
				message_id, status, attempts, next_attempt_at, leased_by, last_error, created_at)
			SELECT `+newID+`, ?, ?, ? || c.id, c.id, c.language,
				'{"digest":"' || ? || '","contact":"' || c.id || '"}',
				'digest-' || ? || '-' || c.id || '@' || ?, 'queued', 0, ?, '', '', ?
			FROM contacts c
			WHERE c.region = ? AND c.unsubscribed_at IS NULL AND c.bounced_at IS NULL
			ON CONFLICT (dedupe_key) DO NOTHING`,
			KindDigest, id, "digest:"+id+":", id, id, s.messageDomain, t, t, d.Region).Error
		if err != nil {
			return translate("start sending", err)
		}
		if err := tx.Model(&MailMessage{}).Where("ref = ? AND kind = ?", id, KindDigest).Count(&recipients).Error; err != nil {
			return translate("start sending", err)
		}
		if err := tx.Model(&Digest{}).Where("id = ?", id).Update("recipients", recipients).Error; err != nil {
			return translate("start sending", err)
		}
		audit.RowCount = recipients
		return writeAudit(tx, audit, id)
	})
	if err == nil && recipients >= bulkMail {
		s.analyzeQueue()
	}
	return recipients, err
}

// CancelDigest stops a draft or a digest being sent: messages not yet
// claimed are removed from the queue; one in a worker's hand still goes.
func (s *Store) CancelDigest(ctx context.Context, id string, audit *AuditEntry) error {
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Digest{}).Where("id = ? AND status IN ?", id, []string{DigestDraft, DigestSending}).
			Updates(map[string]any{"status": DigestCancelled, "updated_at": now()})
		if res.Error != nil {
			return translate("cancel digest", res.Error)
		}
		if res.RowsAffected == 0 {
			if err := tx.Where("id = ?", id).Take(&Digest{}).Error; err != nil {
				return translate("cancel digest", err)
			}
			return ErrDigestState
		}
		err := tx.Where("ref = ? AND kind = ? AND status = ? AND (lease_until IS NULL OR lease_until < ?)",
			id, KindDigest, MailQueued, now()).Delete(&MailMessage{}).Error
		if err != nil {
			return translate("cancel digest", err)
		}
		return writeAudit(tx, audit, id)
	})
}

// FinishDigests marks as sent every digest being sent whose messages have
// all left the queue (sent or failed for good).
func (s *Store) FinishDigests(ctx context.Context) (int64, error) {
	t := now()
	res := s.conn(ctx).Exec(`UPDATE digests SET status = ?, sent_at = ?, updated_at = ?
		WHERE status = ? AND NOT EXISTS (
			SELECT 1 FROM mail_messages m WHERE m.ref = digests.id AND m.kind = ? AND m.status = ?)`,
		DigestSent, t, t, DigestSending, KindDigest, MailQueued)
	return res.RowsAffected, translate("finish digests", res.Error)
}

// PreviousDigestStart returns when the last digest to region that covered
// campaignID started sending before the given time (false: none), the
// point from which "since the last digest" counts.
func (s *Store) PreviousDigestStart(ctx context.Context, region, campaignID string, before time.Time) (time.Time, bool, error) {
	var d Digest
	err := s.conn(ctx).Model(&Digest{}).
		Joins("JOIN digest_campaigns dc ON dc.digest_id = digests.id AND dc.campaign_id = ?", campaignID).
		Where("digests.region = ? AND digests.status IN ? AND digests.sending_at < ?", region, []string{DigestSending, DigestSent}, before).
		Order("digests.sending_at DESC").Select("digests.sending_at").Limit(1).Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return time.Time{}, false, nil
	}
	if err != nil || d.SendingAt == nil {
		return time.Time{}, false, translate("previous digest", err)
	}
	return *d.SendingAt, true, nil
}

// CountConfirmedSince counts a campaign's counted signatures confirmed
// after since.
func (s *Store) CountConfirmedSince(ctx context.Context, campaignID string, since time.Time) (int64, error) {
	var n int64
	err := counted(s.conn(ctx).Model(&Signature{})).Where("campaign_id = ? AND confirmed_at > ?", campaignID, since).Count(&n).Error
	return n, translate("count confirmed since", err)
}

// OrgLine is an organisation as a digest names it.
type OrgLine struct {
	Name         string `json:"name"`
	OrgType      string `json:"org_type"`
	Country      string `json:"country"`
	Confidential bool   `json:"confidential"`
}

// ApprovedOrganisationsSince lists the organisations whose endorsement of a
// campaign was approved after since, confidential ones included: digests go
// to officials, who are told which ones are confidential.
func (s *Store) ApprovedOrganisationsSince(ctx context.Context, campaignID string, since time.Time) ([]OrgLine, error) {
	var orgs []OrgLine
	err := s.conn(ctx).Table("endorsements").
		Select("display_name AS name, org_type, country, confidential").
		Where("campaign_id = ? AND status = 'approved' AND reviewed_at > ?", campaignID, since).
		Order("reviewed_at, id").Scan(&orgs).Error
	return orgs, translate("approved organisations", err)
}
