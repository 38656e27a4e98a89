package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// viaOnion reports whether the request came to the onion service address
// (ONION_URL) rather than the public one.
func (s *server) viaOnion(c *fiber.Ctx) bool {
	o := s.Config.OnionURL
	return o != nil && strings.EqualFold(c.Hostname(), o.Host)
}

// onionBase is the onion address when the request came to it, else "":
// the intake's emails then link there rather than to PUBLIC_URL.
func (s *server) onionBase(c *fiber.Ctx) string {
	if s.viaOnion(c) {
		return s.Config.OnionURL.String()
	}
	return ""
}

// onionLocation tells Tor Browser, on every page of the public address,
// that the same page is served as an onion service: it offers to switch
// (and switches by itself when the reader chose "always prioritise onions").
func (s *server) onionLocation() fiber.Handler {
	return func(c *fiber.Ctx) error {
		if s.Config.OnionURL != nil && !strings.HasPrefix(c.Path(), "/api/") && !s.viaOnion(c) {
			loc := s.Config.OnionURL.String() + c.Path()
			if q := c.Request().URI().QueryString(); len(q) > 0 {
				loc += "?" + string(q)
			}
			c.Set("Onion-Location", loc)
		}
		return c.Next()
	}
}
