package api

import (
	"bytes"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// refuseNUL answers 400 to a request with a NUL character in a query
// parameter or a JSON string. No field needs one, and PostgreSQL cannot
// store or even compare one in text, so without this the same request
// would be stored on SQLite and fail with a 500 on PostgreSQL.
func refuseNUL() fiber.Handler {
	return func(c *fiber.Ctx) error {
		bad := false
		for key, value := range c.Context().QueryArgs().All() {
			bad = bad || bytes.IndexByte(key, 0) >= 0 || bytes.IndexByte(value, 0) >= 0
		}
		if !bad && strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEApplicationJSON) {
			bad = jsonHasNUL(c.Body())
		}
		if bad {
			return errBadRequest("text must not contain NUL characters")
		}
		return c.Next()
	}
}

// jsonHasNUL reports whether a JSON text encodes a NUL character. A JSON
// string can hold one only as the escape \u0000; a backslash before it
// that is itself escaped makes it plain text instead.
func jsonHasNUL(body []byte) bool {
	const esc = `\u0000`
	for i := 0; ; {
		j := bytes.Index(body[i:], []byte(esc))
		if j < 0 {
			return false
		}
		j += i
		backslashes := 0
		for k := j - 1; k >= 0 && body[k] == '\\'; k-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return true
		}
		i = j + len(esc)
	}
}
