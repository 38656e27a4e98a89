package api

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

type auditView struct {
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	ActorID    string    `json:"actor_id"`
	ActorEmail string    `json:"actor_email"`
	Action     string    `json:"action"`
	Target     string    `json:"target"`
	Rows       int64     `json:"rows"`
	Detail     string    `json:"detail"`
}

const auditPage = 100

// listAudit pages through the audit log, newest first: ?cursor= is the
// next_cursor of the page before.
func (s *server) listAudit(c *fiber.Ctx) error {
	entries, err := s.Store.ListAudit(c.UserContext(), c.Query("cursor"), auditPage)
	if err != nil {
		return err
	}
	items := make([]auditView, len(entries))
	for i, e := range entries {
		items[i] = auditView{ID: e.ID, At: e.At, ActorID: e.ActorID, ActorEmail: e.ActorEmail, Action: e.Action, Target: e.Target, Rows: e.RowCount, Detail: e.Detail}
	}
	next := ""
	if len(entries) == auditPage {
		next = entries[len(entries)-1].ID
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}
