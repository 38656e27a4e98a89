package api

import (
	"github.com/gofiber/fiber/v2"
)

// healthz answers while the process runs.
func (s *server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok", "version": s.Version})
}

// readyz answers 200 only when the database is reachable and its schema is
// current, so that a load balancer sends no traffic to an instance that
// would fail it.
func (s *server) readyz(c *fiber.Ctx) error {
	if err := s.Store.Ping(c.Context()); err != nil {
		return &Error{Status: fiber.StatusServiceUnavailable, Code: "unavailable", Message: "the database is unreachable"}
	}
	current, err := s.Store.SchemaCurrent(c.Context())
	if err != nil || !current {
		return &Error{Status: fiber.StatusServiceUnavailable, Code: "unavailable", Message: "the database schema is behind this version: run migrate"}
	}
	return c.JSON(fiber.Map{"status": "ready"})
}
