package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/store"
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
	// ?to= and ?kind= narrow the list (the console's search for one
	// person's mail); the audit row counts what was shown.
	f := store.OutboxFilter{Kind: c.Query("kind"), To: c.Query("to")}
	entries, err := s.Store.ListOutbox(c.UserContext(), outboxPage, f)
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
