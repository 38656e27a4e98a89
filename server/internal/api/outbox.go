package api

import (
	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/store"
	"github.com/gofiber/fiber/v2"
)

const outboxPage = 100

// listOutbox shows the dev outbox: the mail that would have gone out in the
// last two days. With SMTP_URL set there is none, and the route says so.
func (s *server) listOutbox(c *fiber.Ctx) error {
	if !s.Config.DevOutbox() {
		return errNotFound("dev outbox (mail goes out through SMTP_URL)")
	}
	// A password reset link lets its reader become that user: only admins,
	// who may set any password anyway, see other people's.
	hide := mailers.KindPasswordReset
	if currentUser(c).Role == store.RoleAdmin {
		hide = ""
	}
	entries, err := s.Store.ListOutbox(c.UserContext(), outboxPage, hide, currentUser(c).Email)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": entries})
}
