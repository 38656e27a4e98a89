package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// ErrTokenReused means a refresh token was presented a second time: its
// session has been revoked, since one of the two presenters is a thief.
var ErrTokenReused = errors.New("refresh token reused")

// Session is one login of a staff user.
type Session struct {
	ID        string
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

// RefreshToken is one link of a session's rotation chain, kept as a hash.
type RefreshToken struct {
	TokenHash string `gorm:"primaryKey"`
	SessionID string
	CreatedAt time.Time
	UsedAt    *time.Time
}

// CreateSession starts a session for userID whose first refresh token has
// the hash tokenHash.
func (s *Store) CreateSession(ctx context.Context, userID, tokenHash string, lifetime time.Duration) (Session, error) {
	t := now()
	sess := Session{ID: newID(), UserID: userID, CreatedAt: t, ExpiresAt: t.Add(lifetime)}
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&sess).Error; err != nil {
			return translate("create session", err)
		}
		return translate("create session", tx.Create(&RefreshToken{TokenHash: tokenHash, SessionID: sess.ID, CreatedAt: t}).Error)
	})
	return sess, err
}

// RotateRefreshToken spends the refresh token oldHash and records newHash
// as its successor. An unknown token, or one of an ended session, is
// ErrNotFound. A token already spent is accepted once more within grace of
// its rotation when newHash is its still unspent successor (the caller
// derives the successor from the token, so two tabs or two instances
// refreshing at once get the same new token); otherwise it revokes its
// session and is ErrTokenReused.
func (s *Store) RotateRefreshToken(ctx context.Context, oldHash, newHash string, grace time.Duration) (Session, User, error) {
	var (
		sess   Session
		user   User
		reused bool
	)
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var rt RefreshToken
		if err := tx.Where("token_hash = ?", oldHash).Take(&rt).Error; err != nil {
			return translate("rotate refresh token", err)
		}
		if err := activeSession(tx, rt.SessionID, &sess, &user); err != nil {
			return err
		}
		t := now()
		res := tx.Model(&RefreshToken{}).Where("token_hash = ? AND used_at IS NULL", oldHash).Update("used_at", t)
		if res.Error != nil {
			return translate("rotate refresh token", res.Error)
		}
		if res.RowsAffected == 0 {
			if err := tx.Where("token_hash = ?", oldHash).Take(&rt).Error; err != nil {
				return translate("rotate refresh token", err)
			}
			if rt.UsedAt != nil && t.Sub(*rt.UsedAt) <= grace {
				var successors int64
				err := tx.Model(&RefreshToken{}).Where("token_hash = ? AND session_id = ? AND used_at IS NULL", newHash, sess.ID).Count(&successors).Error
				if err != nil {
					return translate("rotate refresh token", err)
				}
				if successors == 1 {
					return nil
				}
			}
			reused = true
			return translate("revoke session", tx.Model(&Session{}).Where("id = ?", sess.ID).Update("revoked_at", t).Error)
		}
		return translate("rotate refresh token", tx.Create(&RefreshToken{TokenHash: newHash, SessionID: sess.ID, CreatedAt: t}).Error)
	})
	if err == nil && reused {
		err = ErrTokenReused
	}
	return sess, user, err
}

// ActiveSession returns the session id and its user while the session is
// neither revoked nor expired and the user not disabled; else ErrNotFound.
func (s *Store) ActiveSession(ctx context.Context, id string) (Session, User, error) {
	var (
		sess Session
		user User
	)
	err := activeSession(s.conn(ctx), id, &sess, &user)
	return sess, user, err
}

func activeSession(db *gorm.DB, id string, sess *Session, user *User) error {
	if err := db.Where("id = ? AND revoked_at IS NULL AND expires_at > ?", id, now()).Take(sess).Error; err != nil {
		return translate("active session", err)
	}
	if err := db.Where("id = ? AND disabled = ?", sess.UserID, false).Take(user).Error; err != nil {
		return translate("active session", err)
	}
	return nil
}

// RevokeSession ends one session; ending an ended one is not an error.
func (s *Store) RevokeSession(ctx context.Context, id string) error {
	err := s.conn(ctx).Model(&Session{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", now()).Error
	return translate("revoke session", err)
}

// PurgeSessions deletes sessions that ended before the cutoff, with their
// tokens.
func (s *Store) PurgeSessions(ctx context.Context, before time.Time) (int64, error) {
	res := s.conn(ctx).Where("expires_at < ? OR revoked_at < ?", before, before).Delete(&Session{})
	return res.RowsAffected, translate("purge sessions", res.Error)
}

// RevokeSessionOfToken ends the session that a refresh token (spent or not)
// belongs to.
func (s *Store) RevokeSessionOfToken(ctx context.Context, tokenHash string) error {
	var rt RefreshToken
	if err := s.conn(ctx).Where("token_hash = ?", tokenHash).Take(&rt).Error; err != nil {
		return translate("revoke session of token", err)
	}
	return s.RevokeSession(ctx, rt.SessionID)
}
