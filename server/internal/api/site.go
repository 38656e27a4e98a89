package api

import "github.com/gofiber/fiber/v2"

// site answers what every public page may show about the installation:
// where to reach the organisers (CONTACT_EMAIL, "" when unset), for the
// privacy page's "if you lost the email, write to the organisers", and how
// often the transparency logs publish (LOG_BATCH_INTERVAL), for the
// receipt and verify pages' "within about N minutes".
func (s *server) site(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.JSON(fiber.Map{"contact_email": s.Config.ContactEmail,
		"log_interval_seconds": int64(s.Config.LogBatchInterval.Seconds())})
}
