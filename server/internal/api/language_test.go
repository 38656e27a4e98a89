package api_test

import (
	"mime"
	"strings"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/store"
)

// A Belarusian speaker on an English browser who switched the page to
// Беларуская gets the confirmation email in Belarusian, with the
// campaign's Belarusian title; the reset email follows the page too.
func TestEmailsFollowThePageLanguage(t *testing.T) {
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		body := signBody("Алена Кавалёва", "alena@example.org")
		body["language"] = "be"
		e.do(req{method: "POST", path: demo + "/signatures", body: body, headers: map[string]string{"Accept-Language": "en-US,en;q=0.9"}}).wantStatus(t, 202)
		msg := e.smtp.Wait(1, 10*time.Second)[0]
		if got := subjectOf(msg.Header.Get("Subject")); got != "Пра ваш подпіс" {
			t.Fatalf("subject %q is not Belarusian", got)
		}
		// Its links open their pages in Belarusian too, whatever the browser.
		token := linkIn(t, msg.Text, "/confirm/")
		if !strings.Contains(msg.Text, "/confirm/"+token+"?lang=be") || !strings.Contains(msg.Text, "?lang=be") {
			t.Errorf("the confirmation link does not carry the language:\n%s", msg.Text)
		}
		if !strings.Contains(msg.Text, "Заява Беларускай нацыянальнай платформы") || strings.Contains(msg.Text, "Statement of the") {
			t.Fatal("the campaign is not named by its Belarusian title")
		}

		staff := e.users[store.RoleEditor].Email
		e.do(req{method: "POST", path: "/api/v1/auth/password-reset", body: map[string]string{"email": staff, "language": "ru"},
			headers: map[string]string{"Accept-Language": "en"}}).wantStatus(t, 202)
		msg = e.smtp.Wait(2, 10*time.Second)[1]
		if got := subjectOf(msg.Header.Get("Subject")); got != "Сброс пароля" {
			t.Fatalf("reset subject %q is not Russian", got)
		}
		e.send("POST", "/api/v1/auth/password-reset", "", map[string]string{"email": staff, "language": "xx"}).wantError(t, 422, "validation_failed")
	})
}

// subjectOf decodes an RFC 2047 subject.
func subjectOf(raw string) string {
	s, err := new(mime.WordDecoder).DecodeHeader(raw)
	if err != nil {
		return raw
	}
	return s
}
