package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Contact regions.
const (
	RegionEU    = "eu"
	RegionUS    = "us"
	RegionOther = "other"
)

// Contact is an official who receives digests.
type Contact struct {
	ID                   string
	Name                 string
	Email                string
	Title                string
	Institution          string
	Region               string
	Country              string
	Language             string
	Tags                 string // comma-separated
	UnsubscribeTokenHash string
	UnsubscribedAt       *time.Time
	ResubscribeReason    string
	// BouncedAt is when the contact's server refused the address for good;
	// no digest goes to it until staff clear it (ClearContactBounce).
	BouncedAt    *time.Time
	BounceReason string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// ContactFilter narrows a contact search; empty fields match all.
type ContactFilter struct {
	Query  string // in name, email or institution
	Region string
	Tag    string
}

// NewContactID returns an id for a contact about to be created, so that
// its unsubscribe token (derived from the id) can be hashed first.
func NewContactID() string { return newID() }

// CreateContact inserts c (its ID and UnsubscribeTokenHash set by the
// caller). A taken email is ErrConflict.
func (s *Store) CreateContact(ctx context.Context, c *Contact, audit *AuditEntry) error {
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(c).Error; err != nil {
			return translate("create contact", err)
		}
		return writeAudit(tx, audit, c.ID)
	})
}

// ContactByID returns one contact.
func (s *Store) ContactByID(ctx context.Context, id string) (Contact, error) {
	var c Contact
	err := s.conn(ctx).Where("id = ?", id).Take(&c).Error
	return c, translate("contact by id", err)
}

// SaveContact stores every field of c, which was read and changed. A
// contact unsubscribed (by staff) gets no digest still queued for them.
func (s *Store) SaveContact(ctx context.Context, c *Contact, audit *AuditEntry) error {
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		// The bounce is the queue's to set and ClearContactBounce's to clear:
		// an edit made from an older read must not undo it.
		if err := tx.Omit("created_at", "bounced_at", "bounce_reason").Save(c).Error; err != nil {
			return translate("save contact", err)
		}
		if c.UnsubscribedAt != nil {
			if err := dropQueuedDigests(tx, c.ID); err != nil {
				return err
			}
		}
		return writeAudit(tx, audit, c.ID)
	})
}

// DeleteContact deletes a contact and the digests queued for it and not
// yet in a worker's hand.
func (s *Store) DeleteContact(ctx context.Context, id string, audit *AuditEntry) error {
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Where("id = ?", id).Delete(&Contact{})
		if res.Error != nil {
			return translate("delete contact", res.Error)
		}
		if res.RowsAffected == 0 {
			return translate("delete contact", gorm.ErrRecordNotFound)
		}
		// A deleted contact gets nothing more, as one unsubscribed.
		if err := dropQueuedDigests(tx, id); err != nil {
			return err
		}
		return writeAudit(tx, audit, id)
	})
}

// SearchContacts returns up to limit contacts matching f by name, after
// the cursor (the id of the last contact of the page before).
func (s *Store) SearchContacts(ctx context.Context, f ContactFilter, after string, limit int) ([]Contact, error) {
	q := s.conn(ctx).Order("id").Limit(limit)
	if f.Query != "" {
		like := "%" + strings.ToLower(f.Query) + "%"
		q = q.Where("lower(name) LIKE ? OR email LIKE ? OR lower(institution) LIKE ?", like, like, like)
	}
	if f.Region != "" {
		q = q.Where("region = ?", f.Region)
	}
	if f.Tag != "" {
		q = q.Where("',' || tags || ',' LIKE ?", "%,"+f.Tag+",%")
	}
	if after != "" {
		q = q.Where("id > ?", after)
	}
	var cs []Contact
	return cs, translate("search contacts", q.Find(&cs).Error)
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created int64 `json:"created"`
	Updated int64 `json:"updated"`
}

// ImportableColumns are the contact fields an import may set, as CSV
// header names and column names alike (email is the key, not a field).
var ImportableColumns = []string{"name", "title", "institution", "region", "country", "language", "tags"}

// ImportContacts creates or updates (by email) every contact in one
// transaction with its audit record. New contacts need ID and
// UnsubscribeTokenHash set; for existing ones they are kept, and only the
// given columns (of ImportableColumns: those the file named) are changed.
func (s *Store) ImportContacts(ctx context.Context, contacts []Contact, columns []string, audit *AuditEntry) (ImportResult, error) {
	var r ImportResult
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		for i := range contacts {
			c := &contacts[i]
			var existing Contact
			err := tx.Where("email = ?", c.Email).Take(&existing).Error
			switch {
			case errors.Is(err, gorm.ErrRecordNotFound):
				if err := tx.Create(c).Error; err != nil {
					return translate("import contacts", err)
				}
				r.Created++
			case err != nil:
				return translate("import contacts", err)
			default:
				values := map[string]any{"name": c.Name, "title": c.Title, "institution": c.Institution, "region": c.Region,
					"country": c.Country, "language": c.Language, "tags": c.Tags}
				updates := map[string]any{"updated_at": now()}
				for _, col := range columns {
					if v, ok := values[col]; ok {
						updates[col] = v
					}
				}
				if err := tx.Model(&Contact{}).Where("id = ?", existing.ID).Updates(updates).Error; err != nil {
					return translate("import contacts", err)
				}
				r.Updated++
			}
		}
		audit.RowCount = r.Created + r.Updated
		return writeAudit(tx, audit, "contacts")
	})
	return r, err
}

// Unsubscribe marks the contact of an unsubscribe token as unsubscribed
// (again is harmless). An unknown token is ErrNotFound.
func (s *Store) Unsubscribe(ctx context.Context, tokenHash string) error {
	var c Contact
	if err := s.conn(ctx).Where("unsubscribe_token_hash = ?", tokenHash).Take(&c).Error; err != nil {
		return translate("unsubscribe", err)
	}
	if c.UnsubscribedAt != nil {
		return nil
	}
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Model(&Contact{}).Where("id = ?", c.ID).Updates(map[string]any{
			"unsubscribed_at": now(), "updated_at": now()}).Error
		if err != nil {
			return translate("unsubscribe", err)
		}
		return dropQueuedDigests(tx, c.ID)
	})
}

// dropQueuedDigests removes the digests queued for a contact and not yet in
// a worker's hand, and takes the contact off each digest's recipients, so
// that a digest's counts still add up (recipients = sent + failed +
// pending): someone who unsubscribed while it was sent is no recipient. A
// message a worker holds still goes, and is counted as it ends.
func dropQueuedDigests(tx *gorm.DB, contactID string) error {
	t := now()
	var queued []MailMessage
	err := tx.Select("id", "ref").Where("kind = ? AND status = ? AND dedupe_key LIKE ? AND (lease_until IS NULL OR lease_until < ?)",
		KindDigest, MailQueued, "digest:%:"+contactID, t).Find(&queued).Error
	if err != nil {
		return translate("drop queued digests", err)
	}
	for _, m := range queued {
		// Claimed since it was read: it goes, and is counted as it ends.
		res := tx.Where("id = ? AND status = ? AND (lease_until IS NULL OR lease_until < ?)", m.ID, MailQueued, t).Delete(&MailMessage{})
		if res.Error != nil {
			return translate("drop queued digests", res.Error)
		}
		if res.RowsAffected == 0 {
			continue
		}
		err := tx.Model(&Digest{}).Where("id = ? AND recipients > 0", m.Ref).UpdateColumn("recipients", gorm.Expr("recipients - 1")).Error
		if err != nil {
			return translate("drop queued digests", err)
		}
	}
	return nil
}

// ClearContactBounce clears a contact's bounce mark, so that digests go to
// it again (staff corrected the address, or the mailbox is back), and
// returns the contact. An unknown id is ErrNotFound.
func (s *Store) ClearContactBounce(ctx context.Context, id string, audit *AuditEntry) (Contact, error) {
	var c Contact
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Contact{}).Where("id = ?", id).
			Updates(map[string]any{"bounced_at": nil, "bounce_reason": "", "updated_at": now()})
		if res.Error != nil {
			return translate("clear contact bounce", res.Error)
		}
		if res.RowsAffected == 0 {
			return translate("clear contact bounce", gorm.ErrRecordNotFound)
		}
		if err := tx.Where("id = ?", id).Take(&c).Error; err != nil {
			return translate("clear contact bounce", err)
		}
		return writeAudit(tx, audit, id)
	})
	return c, err
}
