package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

type passwordReset struct {
	TokenHash string `gorm:"primaryKey"`
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (passwordReset) TableName() string { return "password_resets" }

// RequestPasswordReset records a reset token for the active account with
// this email and enqueues its email (m, addressed to the account) in the
// same transaction. For an unknown or disabled address it does nothing and
// reports false, so that the caller can answer alike either way.
func (s *Store) RequestPasswordReset(ctx context.Context, email, tokenHash string, ttl time.Duration, domain string, m Mail) (bool, error) {
	created := false
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var u User
		err := tx.Where("email = ? AND disabled = ?", email, false).Take(&u).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		} else if err != nil {
			return translate("request password reset", err)
		}
		t := now()
		if err := tx.Create(&passwordReset{TokenHash: tokenHash, UserID: u.ID, CreatedAt: t, ExpiresAt: t.Add(ttl)}).Error; err != nil {
			return translate("request password reset", err)
		}
		m.Recipient = u.Email
		created = true
		return s.enqueue(tx, domain, m)
	})
	return created, err
}

// ResetPassword spends a reset token: it sets the new password hash, ends
// every session of the account and spends every other reset token of it.
// An unknown, spent or expired token is ErrNotFound.
func (s *Store) ResetPassword(ctx context.Context, tokenHash, passwordHash string) (User, error) {
	var u User
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		t := now()
		// Spending the token is the conditional write, so of two requests
		// with one token only the first gets a row: single use holds even
		// when they arrive together.
		spent := tx.Model(&passwordReset{}).Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", tokenHash, t).Update("used_at", t)
		if spent.Error != nil {
			return translate("reset password", spent.Error)
		}
		if spent.RowsAffected != 1 {
			return ErrNotFound
		}
		var r passwordReset
		if err := tx.Where("token_hash = ?", tokenHash).Take(&r).Error; err != nil {
			return translate("reset password", err)
		}
		res := tx.Model(&passwordReset{}).Where("user_id = ? AND used_at IS NULL", r.UserID).Update("used_at", t)
		if res.Error != nil {
			return translate("reset password", res.Error)
		}
		if err := tx.Where("id = ? AND disabled = ?", r.UserID, false).Take(&u).Error; err != nil {
			return translate("reset password", err)
		}
		u.PasswordHash = passwordHash
		if err := tx.Select("password_hash", "updated_at").Save(&u).Error; err != nil {
			return translate("reset password", err)
		}
		if err := revokeUserSessions(tx, u.ID); err != nil {
			return err
		}
		return writeAudit(tx, &AuditEntry{ActorID: u.ID, ActorEmail: u.Email, Action: "user.password_reset", Target: u.ID, RowCount: 1}, u.ID)
	})
	return u, err
}

// PurgePasswordResets deletes reset tokens that expired before cutoff.
func (s *Store) PurgePasswordResets(ctx context.Context, before time.Time) (int64, error) {
	res := s.conn(ctx).Where("expires_at < ?", before).Delete(&passwordReset{})
	return res.RowsAffected, translate("purge password resets", res.Error)
}
