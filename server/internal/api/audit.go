package api

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
)

type auditView struct {
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	ActorID    string    `json:"actor_id"`
	ActorEmail string    `json:"actor_email"`
	Action     string    `json:"action"`
	Target     string    `json:"target"`
	// TargetName is what the target id names (a digest's subject, a
	// user's address), "" when the target is not an id or is gone.
	TargetName string `json:"target_name"`
	Rows       int64  `json:"rows"`
	Detail     string `json:"detail"`
}

const auditPage = 100

// listAudit pages through the audit log, newest first: ?cursor= is the
// next_cursor of the page before.
func (s *server) listAudit(c *fiber.Ctx) error {
	entries, err := s.Store.ListAudit(c.UserContext(), c.Query("cursor"), auditPage)
	if err != nil {
		return err
	}
	targets := make([]string, 0, len(entries))
	for _, e := range entries {
		if _, err := uuid.Parse(e.Target); err == nil { // campaign slugs read well already
			targets = append(targets, e.Target)
		}
	}
	names, err := s.Store.AuditTargetNames(c.UserContext(), targets)
	if err != nil {
		return err
	}
	items := make([]auditView, len(entries))
	for i, e := range entries {
		items[i] = auditView{ID: e.ID, At: e.At, ActorID: e.ActorID, ActorEmail: e.ActorEmail, Action: e.Action, Target: e.Target,
			TargetName: names[e.Target], Rows: e.RowCount, Detail: e.Detail}
	}
	next := ""
	if len(entries) == auditPage {
		next = entries[len(entries)-1].ID
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}
