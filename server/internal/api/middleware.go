package api

import (
	"bytes"
	"fmt"
	"log/slog"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/google/uuid"
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

// accepts declares, in the routes table, the body a route takes: its size
// limit and content types. A bigger body is a 413, another type a 415; an
// empty body passes on to the handler, which says what it needs.
func accepts(limit int, types ...string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		body := c.Request().Body()
		if len(body) == 0 {
			return c.Next()
		}
		if len(body) > limit {
			return errTooLarge()
		}
		ct := strings.ToLower(strings.TrimSpace(strings.Split(c.Get(fiber.HeaderContentType), ";")[0]))
		if !slices.Contains(types, ct) {
			return &Error{Status: fiber.StatusUnsupportedMediaType, Code: "unsupported_media_type",
				Message: "send the body as " + strings.Join(types, " or ")}
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
