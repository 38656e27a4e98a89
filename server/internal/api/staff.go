package api

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/store"
)

const localUser = "staff_user"

// staff admits a request whose bearer token is valid, whose session is
// still active and whose user (as the database says now, not as the token
// said at login) has at least the given role.
func (s *server) staff(least store.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		header := c.Get(fiber.HeaderAuthorization)
		token, found := strings.CutPrefix(header, "Bearer ")
		if !found || token == "" {
			return errUnauthorized("sign in first")
		}
		claims, err := s.Tokens.Verify(token)
		if err != nil {
			return errUnauthorized("your session has ended; sign in again")
		}
		_, user, err := s.Store.ActiveSession(c.UserContext(), claims.SessionID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && user.ID != claims.Subject) {
			return errUnauthorized("your session has ended; sign in again")
		} else if err != nil {
			return err
		}
		if !user.Role.Includes(least) {
			return errForbidden()
		}
		c.Locals(localUser, user)
		return c.Next()
	}
}

// currentUser is the staff member admitted by staff().
func currentUser(c *fiber.Ctx) store.User {
	u, _ := c.Locals(localUser).(store.User)
	return u
}

// auditBy starts an audit record of the current staff member's action.
func auditBy(c *fiber.Ctx, action, target string, rows int64, detail ...string) *store.AuditEntry {
	u := currentUser(c)
	return &store.AuditEntry{ActorID: u.ID, ActorEmail: u.Email, Action: action, Target: target, RowCount: rows, Detail: strings.Join(detail, " ")}
}
