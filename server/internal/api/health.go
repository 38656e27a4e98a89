package api

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/store"
)

// healthz answers while the process runs.
func (s *server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok", "version": s.Version})
}

// readyz answers 200 only when the database is reachable and its schema is
// current, so that a load balancer sends no traffic to an instance that
// would fail it. It answers from the store's remembered checks: cheap under
// load, and a busy moment does not mark the instance down.
func (s *server) readyz(c *fiber.Ctx) error {
	err := s.Store.Ready(c.Context())
	switch {
	case errors.Is(err, store.ErrSchemaBehind):
		return &Error{Status: fiber.StatusServiceUnavailable, Code: "unavailable", Message: "the database schema is behind this version: run migrate"}
	case err != nil:
		return &Error{Status: fiber.StatusServiceUnavailable, Code: "unavailable", Message: "the database is unreachable"}
	}
	return c.JSON(fiber.Map{"status": "ready"})
}
