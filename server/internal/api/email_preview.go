package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/store"
)

// Staff look at an email before it goes to many people (a digest, an
// update to signers): a preview in the browser, or a test send to their
// own address. Both kinds read the same query and body, and answer alike.

// previewQuery reads a preview's format (html, the default, or text) and
// language (lang when the query names none).
func previewQuery(c *fiber.Ctx, lang string) (format, language string, err error) {
	format = c.Query("format", "html")
	if format != "html" && format != "text" {
		return "", "", errField("format", errOneOf("html", "text"))
	}
	language = c.Query("language", lang)
	if !languagePattern.MatchString(language) {
		return "", "", errField("language", errLanguage())
	}
	return format, language, nil
}

// sendPreview answers an email's text part, or its HTML, which is styled
// inline: shown on its own, and framed only by the console, with no script
// at all.
func sendPreview(c *fiber.Ctx, email mailers.Email, format string) error {
	if format == "text" {
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.SendString(email.Text)
	}
	c.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox")
	c.Set("X-Frame-Options", "SAMEORIGIN")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.SendString(email.HTML)
}

// readTestSend reads a test send's body: the address, lower-cased, and the
// language ("" when it names none).
func readTestSend(c *fiber.Ctx) (to, lang string, err error) {
	var in struct {
		Email    string `json:"email"`
		Language string `json:"language"`
	}
	if err := decode(c, &in); err != nil {
		return "", "", err
	}
	f := fieldErrors{}
	to = strings.ToLower(strings.TrimSpace(in.Email))
	if !plainAddress(to) {
		f.set("email", errEmail())
	}
	if in.Language != "" && !languagePattern.MatchString(in.Language) {
		f.set("language", errLanguage())
	}
	return to, in.Language, f.err()
}

// queueTestSend queues a test email with its audit record, and answers
// 202.
func (s *server) queueTestSend(c *fiber.Ctx, m store.Mail, audit *store.AuditEntry) error {
	err := s.Store.InTransaction(c.UserContext(), func(tx store.Tx) error {
		if err := tx.Enqueue(m); err != nil {
			return err
		}
		return tx.Audit(audit)
	})
	if err != nil {
		return err
	}
	s.Mail.Wake()
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"status": "queued"})
}
