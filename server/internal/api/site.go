package api

import "github.com/gofiber/fiber/v2"

// site answers what every public page may show about the installation:
// where to reach the organisers (CONTACT_EMAIL, "" when unset), for the
// privacy page's "if you lost the email, write to the organisers".
func (s *server) site(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.JSON(fiber.Map{"contact_email": s.Config.ContactEmail})
}
