package api

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// OpenAPI is the OpenAPI 3.1 document of the v1 API: the contract clients
// and partners build against. The API tests check every request and
// answer against it, so it cannot drift from the handlers.
//
//go:embed openapi.json
var OpenAPI []byte

func (s *server) openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(OpenAPI)
}
