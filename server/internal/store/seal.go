package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// Cipher seals personal data the store must keep for a while but never
// in plain text: a queued email's address and parameters (name, live
// links), the dev outbox and an endorsement's contact person under review.
// where names the row and column a value belongs to, so that a sealed
// value moved to another row does not open there. privacy.Sealer is the
// one in use.
type Cipher interface {
	Seal(plaintext, where string) (string, error)
	Open(ciphertext, where string) (string, error)
}

// Option configures a store at Open.
type Option func(*Store)

// WithCipher gives the store the cipher that seals the mail queue and the
// dev outbox. Without one, queueing mail fails: nothing is ever written in
// plain text instead.
func WithCipher(c Cipher) Option { return func(s *Store) { s.cipher = c } }

// errNoCipher is the answer to writing mail on a store opened without a
// cipher.
var errNoCipher = errors.New("store: no cipher to seal mail with (open the store WithCipher)")

// sealed is prefixed to every value a Cipher makes: a value without it was
// written before mail was sealed, and is sealed at the next start.
const sealedPrefix = "v1."

func (s *Store) seal(plaintext, where string) (string, error) {
	if s.cipher == nil {
		return "", errNoCipher
	}
	v, err := s.cipher.Seal(plaintext, where)
	if err != nil {
		return "", fmt.Errorf("store: seal %s: %w", strings.SplitN(where, ":", 2)[0], err)
	}
	return v, nil
}

func (s *Store) open(ciphertext, where string) (string, error) {
	if s.cipher == nil {
		return "", errNoCipher
	}
	v, err := s.cipher.Open(ciphertext, where)
	if err != nil {
		return "", fmt.Errorf("store: open %s: %w", strings.SplitN(where, ":", 2)[0], err)
	}
	return v, nil
}

// openPtr opens *p (nil stays nil).
func (s *Store) openPtr(p *string, where string) (*string, error) {
	if p == nil {
		return nil, nil
	}
	v, err := s.open(*p, where)
	return &v, err
}

// Where sealed mail values are bound: the table, column and row id.
func recipientAt(id string) string { return "mail_messages.recipient:" + id }
func paramsAt(id string) string    { return "mail_messages.params:" + id }
func outboxAt(column, id string) string {
	return "dev_outbox." + column + ":" + id
}

// sealLegacyMail seals the queued messages written in plain text before
// the queue sealed them (an upgrade from an older version), so that they
// do not wait on disk in the clear until they are sent.
func (s *Store) sealLegacyMail(ctx context.Context) error {
	if s.cipher == nil {
		return nil
	}
	var rows []MailMessage
	err := s.conn(ctx).Select("id", "recipient", "params").
		Where("status = ? AND contact_id IS NULL AND ((recipient IS NOT NULL AND recipient NOT LIKE ?) OR (params IS NOT NULL AND params NOT LIKE ?))",
			MailQueued, sealedPrefix+"%", sealedPrefix+"%").Find(&rows).Error
	if err != nil {
		return translate("seal legacy mail", err)
	}
	// The dev outbox holds two days of test mail: what was written before it
	// was sealed is simply dropped.
	if err := s.conn(ctx).Where("recipient NOT LIKE ?", sealedPrefix+"%").Delete(&OutboxEntry{}).Error; err != nil {
		return translate("seal legacy mail: outbox", err)
	}
	for _, m := range rows {
		updates := map[string]any{}
		if m.Recipient != nil && !strings.HasPrefix(*m.Recipient, sealedPrefix) {
			v, err := s.seal(*m.Recipient, recipientAt(m.ID))
			if err != nil {
				return err
			}
			updates["recipient"] = v
		}
		if m.Params != nil && !strings.HasPrefix(*m.Params, sealedPrefix) {
			v, err := s.seal(*m.Params, paramsAt(m.ID))
			if err != nil {
				return err
			}
			updates["params"] = v
		}
		if err := s.conn(ctx).Model(&MailMessage{}).Where("id = ?", m.ID).Updates(updates).Error; err != nil {
			return translate("seal legacy mail", err)
		}
	}
	return nil
}

// legacyContact is an endorsement's contact person from before it was
// encrypted, moved aside by migration 21.
type legacyContact struct {
	EndorsementID string
	ContactName   *string
	ContactEmail  *string
}

func (legacyContact) TableName() string { return "endorsement_contacts_legacy" }

// sealLegacyContacts encrypts the endorsement contacts that were kept in
// plain text before (an upgrade from an older version) into their rows,
// deletes the plain copies and has the database let go of their bytes.
// Without a cipher they wait for a start that has one.
func (s *Store) sealLegacyContacts(ctx context.Context) error {
	if s.cipher == nil {
		return nil
	}
	var rows []legacyContact
	if err := s.conn(ctx).Find(&rows).Error; err != nil {
		return translate("seal legacy contacts", err)
	}
	if len(rows) == 0 {
		return nil
	}
	for _, r := range rows {
		e := Endorsement{ContactName: r.ContactName, ContactEmail: r.ContactEmail}
		if err := s.sealContact(&e, r.EndorsementID); err != nil {
			return err
		}
		err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
			err := tx.Model(&Endorsement{}).Where("id = ? AND anonymised_at IS NULL", r.EndorsementID).
				Update("contact_encrypted", e.ContactEncrypted).Error
			if err != nil {
				return err
			}
			return tx.Where("endorsement_id = ?", r.EndorsementID).Delete(&legacyContact{}).Error
		})
		if err != nil {
			return translate("seal legacy contacts", err)
		}
	}
	// The plain values are still in the old row versions (and, on
	// PostgreSQL, in the dropped columns of live rows) until the tables
	// are rewritten.
	s.scrubDeleted(ctx, s.currentXID(ctx), "endorsements", legacyContact{}.TableName())
	return nil
}
