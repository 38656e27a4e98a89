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
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "database": "unreachable"})
	}
	current, err := s.Store.SchemaCurrent(c.Context())
	if err != nil || !current {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "database": "schema behind"})
	}
	return c.JSON(fiber.Map{"status": "ready"})
}
