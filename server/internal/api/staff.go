package api

import (
	"errors"
	"regexp"
	"slices"
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
			return errUnauthorized(reasonSignInFirst, "sign in first")
		}
		claims, err := s.Tokens.Verify(token)
		if err != nil {
			return errUnauthorized(reasonSessionEnded, "your session has ended; sign in again")
		}
		_, user, err := s.Store.ActiveSession(c.UserContext(), claims.SessionID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && user.ID != claims.Subject) {
			return errUnauthorized(reasonSessionEnded, "your session has ended; sign in again")
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

// queryDetail describes a staff search for the audit log. Only the
// parameters the route knows are kept: those in shown with their value
// (when it is a plain code, such as a status, a country or a cursor), those
// in hidden by name only. An email address or a domain searched for can
// name a signer, and the log outlives the signature it found (privacy rules
// 3 and 10); a parameter the route does not know is free text a client
// chose, and is not written down at all.
func queryDetail(c *fiber.Ctx, shown []string, hidden ...string) string {
	var parts []string
	for key, value := range c.Context().QueryArgs().All() {
		k := string(key)
		switch {
		case slices.Contains(hidden, k):
			parts = append(parts, k+"=(given)")
		case !slices.Contains(shown, k):
		case plainCode.Match(value):
			parts = append(parts, k+"="+string(value))
		default:
			parts = append(parts, k+"=(not a code)")
		}
	}
	return strings.Join(parts, " ")
}

// plainCode is a query value the audit log may keep as it is.
var plainCode = regexp.MustCompile(`^[A-Za-z0-9_.:-]{0,64}$`)

// auditBy starts an audit record of the current staff member's action.
func auditBy(c *fiber.Ctx, action, target string, rows int64, detail ...string) *store.AuditEntry {
	u := currentUser(c)
	return &store.AuditEntry{ActorID: u.ID, ActorEmail: u.Email, Action: action, Target: target, RowCount: rows, Detail: strings.Join(detail, " ")}
}
