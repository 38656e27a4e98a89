package api

import (
	"io/fs"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// spaHandler serves the built SPA: Vite's content-hashed files under
// assets/ cached for a year, other files and index.html revalidated, and
// index.html for every path that is not a file, so that the SPA's own
// router answers deep links such as /confirm/{token}.
func spaHandler(dist fs.FS) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
			return errNotFound("route")
		}
		name := strings.TrimPrefix(path.Clean("/"+c.Path()), "/")
		if strings.HasPrefix(name, "api/") {
			return errNotFound("route")
		}
		if name == "" {
			name = "index.html"
		}
		body, err := fs.ReadFile(dist, name)
		if err != nil && strings.HasPrefix(name, "assets/") {
			// An old hashed file answered with HTML would be refused by the
			// browser as the wrong type: say plainly that it is gone.
			return errNotFound("file")
		}
		if err != nil {
			name = "index.html"
			if body, err = fs.ReadFile(dist, name); err != nil {
				return errNotFound("page")
			}
		}
		if strings.HasPrefix(name, "assets/") {
			c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
		} else {
			c.Set(fiber.HeaderCacheControl, "no-cache")
		}
		c.Type(strings.TrimPrefix(path.Ext(name), "."), "utf-8")
		return c.Send(body)
	}
}
