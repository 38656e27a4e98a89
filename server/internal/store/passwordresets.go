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

// ResetIntent asks the intake for a password reset of the active account
// with this email, if there is one: a reset token and its email (Mail,
// addressed here to the account). For an unknown or disabled address
// nothing is done.
type ResetIntent struct {
	Email     string
	TokenHash string
	TTL       time.Duration
	Mail      Mail
}

func (in ResetIntent) lockKey() string { return "password_reset:" + in.Email }

func (in ResetIntent) apply(s *Store, tx *gorm.DB) (IntakeOutcome, error) {
	var u User
	err := tx.Where("email = ? AND disabled = ?", in.Email, false).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return OutcomeUnchanged, nil
	} else if err != nil {
		return 0, translate("request password reset", err)
	}
	t := now()
	if err := tx.Create(&passwordReset{TokenHash: in.TokenHash, UserID: u.ID, CreatedAt: t, ExpiresAt: t.Add(in.TTL)}).Error; err != nil {
		return 0, translate("request password reset", err)
	}
	in.Mail.Recipient = u.Email
	return OutcomeCreated, s.enqueue(tx, in.Mail)
}

// PasswordResetUsable reports ErrNotFound unless tokenHash is a reset token
// that is neither spent nor expired: checked before the new password is
// hashed, so that bogus tokens cost no argon2id work. ResetPassword checks
// again as it spends it.
func (s *Store) PasswordResetUsable(ctx context.Context, tokenHash string) error {
	var n int64
	err := s.conn(ctx).Model(&passwordReset{}).Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", tokenHash, now()).Count(&n).Error
	if err != nil {
		return translate("password reset usable", err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
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
