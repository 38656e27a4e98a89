package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Role is a staff role; each includes the powers of those ranked below it.
type Role string

// The staff roles, from most to least powerful.
const (
	RoleAdmin     Role = "admin"
	RoleEditor    Role = "editor"
	RoleModerator Role = "moderator"
	RoleViewer    Role = "viewer"
)

var roleRank = map[Role]int{RoleViewer: 1, RoleModerator: 2, RoleEditor: 3, RoleAdmin: 4}

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool { return roleRank[r] > 0 }

// Includes reports whether r has at least the powers of other.
func (r Role) Includes(other Role) bool { return roleRank[r] >= roleRank[other] && r.Valid() }

// ErrLastAdmin refuses a change that would leave no active admin.
var ErrLastAdmin = errors.New("the last active admin cannot be demoted or disabled")

// User is a staff account.
type User struct {
	ID           string
	Email        string
	PasswordHash string
	Role         Role
	Disabled     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// UserChanges lists what UpdateUser may change; nil fields stay as they are.
type UserChanges struct {
	Role         *Role
	Disabled     *bool
	PasswordHash *string
}

// CreateUser inserts u, giving it an id. A taken email is ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u *User, audit *AuditEntry) error {
	u.ID = newID()
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(u).Error; err != nil {
			return translate("create user", err)
		}
		return writeAudit(tx, audit, u.ID)
	})
}

// CountUsers counts staff accounts.
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&User{}).Count(&n).Error
	return n, translate("count users", err)
}

// UserByEmail finds an account by its (lower-cased) email.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	var u User
	err := s.conn(ctx).Where("email = ?", email).Take(&u).Error
	return u, translate("user by email", err)
}

// ListUsers lists every staff account, oldest first.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	var users []User
	err := s.conn(ctx).Order("created_at, id").Find(&users).Error
	return users, translate("list users", err)
}

// UpdateUser applies changes to the account id in one transaction with its
// audit record. Demoting or disabling the last active admin is ErrLastAdmin.
// A disabled account or a new password ends every session of the account.
func (s *Store) UpdateUser(ctx context.Context, id string, ch UserChanges, audit *AuditEntry) (User, error) {
	var u User
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&u).Error; err != nil {
			return translate("update user", err)
		}
		wasActiveAdmin := u.Role == RoleAdmin && !u.Disabled
		if ch.Role != nil {
			u.Role = *ch.Role
		}
		if ch.Disabled != nil {
			u.Disabled = *ch.Disabled
		}
		if ch.PasswordHash != nil {
			u.PasswordHash = *ch.PasswordHash
		}
		if wasActiveAdmin && (u.Role != RoleAdmin || u.Disabled) {
			var admins int64
			err := tx.Model(&User{}).Where("role = ? AND disabled = ? AND id <> ?", RoleAdmin, false, id).Count(&admins).Error
			if err != nil {
				return translate("update user", err)
			}
			if admins == 0 {
				return ErrLastAdmin
			}
		}
		if err := tx.Select("role", "disabled", "password_hash", "updated_at").Save(&u).Error; err != nil {
			return translate("update user", err)
		}
		if u.Disabled || ch.PasswordHash != nil {
			if err := revokeUserSessions(tx, id); err != nil {
				return err
			}
		}
		return writeAudit(tx, audit, id)
	})
	return u, err
}

func revokeUserSessions(tx *gorm.DB, userID string) error {
	err := tx.Model(&Session{}).Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", now()).Error
	if err != nil {
		return fmt.Errorf("store: revoke sessions: %w", err)
	}
	return nil
}
