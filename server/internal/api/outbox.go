package api

import (
	"github.com/gofiber/fiber/v2"
)

const outboxPage = 100

// listOutbox shows the dev outbox: the mail that would have gone out in the
// last two days. It holds signers' addresses, names and live confirm and
// withdraw links, so only admins read it and every read is audited. With
// SMTP_URL set there is none, and the route says so.
func (s *server) listOutbox(c *fiber.Ctx) error {
	if !s.Config.DevOutbox() {
		return errNotFound("dev outbox (mail goes out through SMTP_URL)")
	}
	entries, err := s.Store.ListOutbox(c.UserContext(), outboxPage, "", "")
	if err != nil {
		return err
	}
	if err := s.Store.Audit(c.UserContext(), auditBy(c, "outbox.read", "", int64(len(entries)))); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": entries})
}

// outboxStatus tells the console whether there is a dev outbox to offer,
// without reading it.
func (s *server) outboxStatus(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"enabled": s.Config.DevOutbox()})
}
