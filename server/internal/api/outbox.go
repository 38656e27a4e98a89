package api

import (
	"github.com/gofiber/fiber/v2"
)

const outboxPage = 100

// listOutbox shows the dev outbox: the mail that would have gone out. With
// SMTP_URL set there is none, and the route says so.
func (s *server) listOutbox(c *fiber.Ctx) error {
	if !s.Config.DevOutbox() {
		return errNotFound("dev outbox (mail goes out through SMTP_URL)")
	}
	entries, err := s.Store.ListOutbox(c.UserContext(), outboxPage)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": entries})
}
