package api

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
)

// refuseNonUTF8 answers 400 to a request whose path, query string or body
// is not UTF-8, before anything reaches a handler or the store. Otherwise
// bytes that are not text become U+FFFD in a JSON body and are stored, and
// on PostgreSQL a path or query parameter gives a 500 (and, from staff
// routes, ends up in the audit log). A JSON body is also refused for a
// lone surrogate escape (\ud800), which decodes to U+FFFD just the same.
func refuseNonUTF8() fiber.Handler {
	return func(c *fiber.Ctx) error {
		if !validRequestText(c) {
			return errBadRequest("the request must be UTF-8 text")
		}
		return c.Next()
	}
}

func validRequestText(c *fiber.Ctx) bool {
	uri := c.Request().URI()
	if !utf8.Valid(uri.Path()) || !utf8.Valid(uri.PathOriginal()) {
		return false
	}
	for k, v := range uri.QueryArgs().All() {
		if !utf8.Valid(k) || !utf8.Valid(v) {
			return false
		}
	}
	body := c.Request().Body()
	if len(body) == 0 {
		return true
	}
	if !utf8.Valid(body) {
		return false
	}
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	switch {
	case strings.HasPrefix(ct, fiber.MIMEApplicationForm):
		for k, v := range c.Request().PostArgs().All() {
			if !utf8.Valid(k) || !utf8.Valid(v) {
				return false
			}
		}
	case strings.HasPrefix(ct, fiber.MIMEApplicationJSON):
		return !jsonHasLoneSurrogate(body)
	}
	return true
}

// jsonHasLoneSurrogate reports whether a JSON text holds a \uD800–\uDFFF
// escape that is not half of a surrogate pair. Escaped backslashes are
// skipped, so "\\ud800" (a backslash, then text) is not one.
func jsonHasLoneSurrogate(body []byte) bool {
	pendingHigh := false
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' {
			if pendingHigh {
				return true
			}
			continue
		}
		if i+1 >= len(body) {
			return false
		}
		if body[i+1] != 'u' || i+5 >= len(body) {
			if pendingHigh {
				return true
			}
			i++ // an escaped character, backslash included
			continue
		}
		r, ok := hex4(body[i+2 : i+6])
		if !ok {
			return false // malformed: the JSON decoder refuses it
		}
		switch {
		case r >= 0xD800 && r <= 0xDBFF:
			if pendingHigh {
				return true
			}
			pendingHigh = true
		case r >= 0xDC00 && r <= 0xDFFF:
			if !pendingHigh {
				return true
			}
			pendingHigh = false
		default:
			if pendingHigh {
				return true
			}
		}
		i += 5
	}
	return pendingHigh
}

func hex4(b []byte) (rune, bool) {
	var r rune
	for _, c := range bytes.ToLower(b) {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
