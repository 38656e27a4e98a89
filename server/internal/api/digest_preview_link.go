package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/store"
)

// previewLinkLifetime bounds how long a signed preview link works: long
// enough to look at the email, short enough that a copied link goes stale.
const previewLinkLifetime = 10 * time.Minute

// previewSignature signs one digest's preview in one format and language
// until an expiry, with a key derived from DATA_KEY.
func (s *server) previewSignature(id, format, lang string, expires int64) string {
	m := hmac.New(sha256.New, s.Keys.Derive("digest-preview"))
	m.Write([]byte(id + "\x00" + format + "\x00" + lang + "\x00" + strconv.FormatInt(expires, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// previewLink answers with a short-lived signed link to the preview, which
// the console loads in a frame: a frame cannot send the bearer token, and
// the email's own inline styles apply only in a document of its own.
func (s *server) previewLink(c *fiber.Ctx) error {
	var in struct {
		Format   string `json:"format"`
		Language string `json:"language"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	f := fieldErrors{}
	if in.Format != "html" && in.Format != "text" {
		f.set("format", errOneOf("html", "text"))
	}
	if !languagePattern.MatchString(in.Language) {
		f.set("language", errLanguage())
	}
	if err := f.err(); err != nil {
		return err
	}
	d, err := s.loadDigest(c)
	if err != nil {
		return err
	}
	expires := time.Now().Add(previewLinkLifetime).Unix()
	q := url.Values{}
	q.Set("format", in.Format)
	q.Set("language", in.Language)
	q.Set("expires", strconv.FormatInt(expires, 10))
	q.Set("sig", s.previewSignature(d.ID, in.Format, in.Language, expires))
	return c.JSON(fiber.Map{"url": "/api/v1/admin/digests/" + d.ID + "/preview?" + q.Encode(), "expires_at": time.Unix(expires, 0).UTC()})
}

// editorOrSignedPreview admits an editor's bearer token, or a preview link
// signed by previewLink that has not expired.
func (s *server) editorOrSignedPreview() fiber.Handler {
	editor := s.staff(store.RoleEditor)
	return func(c *fiber.Ctx) error {
		sig := c.Query("sig")
		if sig == "" {
			return editor(c)
		}
		expires, err := strconv.ParseInt(c.Query("expires"), 10, 64)
		want := s.previewSignature(c.Params("id"), c.Query("format", "html"), c.Query("language", "en"), expires)
		if err != nil || time.Now().Unix() > expires || !hmac.Equal([]byte(sig), []byte(want)) {
			return errUnauthorized(reasonPreviewLink, "this preview link is not valid or has expired")
		}
		return c.Next()
	}
}
