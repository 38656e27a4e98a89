package api

import (
	"bytes"
	"fmt"
	"log/slog"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/google/uuid"
)

// jsonBodyLimit is DESIGN.md's limit for JSON bodies; the app-wide limit is
// the larger one for CSV imports.
const (
	jsonBodyLimit   = 64 << 10
	uploadBodyLimit = 5 << 20
)

// requestIDs gives every request an id for the logs and error messages: a
// proxy's X-Request-ID when it is a UUID, so one request can be followed
// across both; otherwise a new one, so a client cannot write free text
// into the logs.
func requestIDs() fiber.Handler {
	ids := requestid.New(requestid.Config{
		Header:    fiber.HeaderXRequestID,
		Generator: func() string { return uuid.NewString() },
	})
	return func(c *fiber.Ctx) error {
		if given := c.Get(fiber.HeaderXRequestID); given != "" {
			if _, err := uuid.Parse(given); err != nil || len(given) != 36 {
				c.Request().Header.Del(fiber.HeaderXRequestID)
			}
		}
		return ids(c)
	}
}

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(requestid.ConfigDefault.ContextKey).(string)
	return id
}

// routeOf is the matched route pattern, never the raw path: paths can carry
// tokens or slugs that a log must not keep.
func routeOf(c *fiber.Ctx) string {
	if r := c.Route(); r != nil && r.Path != "" {
		return r.Path
	}
	return "unmatched"
}

// recoverPanics turns a panic into a 500 in the error shape and logs the
// stack with the request id.
func recoverPanics() fiber.Handler {
	return func(c *fiber.Ctx) (err error) {
		defer func() {
			if r := recover(); r != nil {
				slog.Error("panic", "request_id", requestID(c), "route", routeOf(c), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return c.Next()
	}
}

// accessLog writes one line per request: no IP, no query string, no body.
func accessLog() fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		if err != nil {
			// The error handler has not run yet: let it set the status now so
			// that the line says what the client got.
			if herr := c.App().ErrorHandler(c, err); herr != nil {
				_ = c.SendStatus(fiber.StatusInternalServerError)
			}
			err = nil
		}
		status := c.Response().StatusCode()
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		slog.Log(c.UserContext(), level, "request",
			"method", c.Method(), "route", routeOf(c), "status", status,
			"duration_ms", float64(time.Since(start).Microseconds())/1000, "request_id", requestID(c))
		return err
	}
}

// securityHeaders sets the strict headers of DESIGN.md (privacy rule 9).
// Only the widget, exactly /embed/{slug}, may be framed by partners' sites:
// for any other path the SPA mounts the whole app, console included.
func securityHeaders(https bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		setSecurityHeaders(c, https)
		return c.Next()
	}
}

// embedPath is the widget's route, as frontend/src/main.js matches it.
var embedPath = regexp.MustCompile(`^/embed/[a-z0-9-]+/?$`)

// setSecurityHeaders sets them on one answer; the error handler also calls
// it for answers that fasthttp gives before any middleware runs.
func setSecurityHeaders(c *fiber.Ctx, https bool) {
	const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
	h := &c.Response().Header
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
	if embedPath.MatchString(c.Path()) {
		h.Set("Content-Security-Policy", csp+"; frame-ancestors *")
	} else {
		h.Set("Content-Security-Policy", csp+"; frame-ancestors 'none'")
		h.Set("X-Frame-Options", "DENY")
	}
	if https || c.Protocol() == "https" {
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
}

// jsonBodies enforces, for every request with a body under /api/, the JSON
// content type and the 64 KiB limit. Two routes differ: the contact import
// takes a CSV file of up to 5 MiB, and one-click unsubscribe also takes
// the form body that mail clients post (RFC 8058).
func jsonBodies() fiber.Handler {
	return func(c *fiber.Ctx) error {
		body := c.Request().Body()
		if len(body) == 0 {
			return c.Next()
		}
		ct := strings.ToLower(strings.TrimSpace(strings.Split(c.Get(fiber.HeaderContentType), ";")[0]))
		switch {
		case c.Path() == "/api/v1/admin/contacts/import":
			if ct != "text/csv" {
				return &Error{Status: fiber.StatusUnsupportedMediaType, Code: "unsupported_media_type", Message: "send the file as text/csv"}
			}
			return c.Next()
		case c.Path() == "/api/v1/contacts/unsubscribe" && (ct == fiber.MIMEApplicationForm || ct == fiber.MIMEMultipartForm):
			if len(body) > 1024 {
				return errTooLarge()
			}
			return c.Next()
		case len(body) > jsonBodyLimit:
			return errTooLarge()
		case ct != fiber.MIMEApplicationJSON:
			return errUnsupportedMedia()
		}
		return c.Next()
	}
}

// noStore keeps API answers out of shared caches: many carry personal data
// or per-user state.
func noStore() fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Next()
	}
}

var jsonNull = []byte("null")

func isEmptyBody(b []byte) bool {
	return len(bytes.TrimSpace(b)) == 0 || bytes.Equal(bytes.TrimSpace(b), jsonNull)
}
