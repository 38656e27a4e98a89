package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestDigestsInBelarusianAndRussian: officials who read Belarusian and
// Russian get the whole digest in their language, as it arrives at the SMTP
// server: the campaign's translated title and calls, CLDR plurals ("5
// пацверджаных подпісаў", "5 подтверждённых подписей"), country names
// ("Польшча", "Польша") and grouped numbers ("10 000"), the sender's
// address as Reply-To and in the footer, and a text part without Markdown.
func TestDigestsInBelarusianAndRussian(t *testing.T) {
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		for i := 0; i < 5; i++ {
			b := signBody(fmt.Sprintf("Signer %d", i), fmt.Sprintf("signer-%d@example.org", i))
			b["country"] = "PL"
			e.signAndConfirm(t, b)
		}
		editor := e.token("editor")
		e.send("PATCH", "/api/v1/admin/campaigns/release-all-political-prisoners", editor,
			map[string]any{"contact_email": "bnp@example.org", "sender_name": "Беларуская нацыянальная платформа"}).wantStatus(t, 200)
		for _, c := range []struct{ email, lang string }{{"be-official@example.org", "be"}, {"ru-official@example.org", "ru"}} {
			body := contactBody("Official", c.email, "eu")
			body["language"] = c.lang
			e.send("POST", "/api/v1/admin/contacts", editor, body).wantStatus(t, 201)
		}
		id := e.draftDigest(t, "eu")
		if n := e.get("/api/v1/admin/digests/"+id, editor).wantStatus(t, 200).JSON(t)["subscribed"]; n != float64(2) {
			t.Fatalf("a draft to 2 contacts says subscribed = %v", n)
		}
		e.send("POST", "/api/v1/admin/digests/"+id+"/send", editor, nil).wantStatus(t, 202)
		e.waitDigest(t, id)
		wants := map[string][]string{
			"be": {"Заява Беларускай нацыянальнай платформы", "5 пацверджаных подпісаў", "мэта: 10\u00a0000", "Польшча",
				"Працягваць і ўзмацняць дыпламатычныя намаганні", "Гэты агляд дасылае Беларуская нацыянальная платформа.", "bnp@example.org"},
			"ru": {"Заявление Белорусской национальной платформы", "5 подтверждённых подписей", "цель: 10\u00a0000", "Польша",
				"Продолжать и усиливать дипломатические усилия", "bnp@example.org"},
		}
		for lang, want := range wants {
			deadline := time.Now().Add(10 * time.Second)
			for len(e.smtp.To(lang+"-official@example.org")) == 0 && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			msgs := e.smtp.To(lang + "-official@example.org")
			if len(msgs) != 1 {
				t.Fatalf("%s official got %d digests", lang, len(msgs))
			}
			m := msgs[0]
			for _, part := range []string{m.Text, m.HTML} {
				for _, w := range want {
					if !strings.Contains(part, w) {
						t.Errorf("%s digest lacks %q", lang, w)
					}
				}
				for _, english := range []string{"Poland", "confirmed signatures", "What the campaign asks"} {
					if strings.Contains(part, english) {
						t.Errorf("%s digest has English %q", lang, english)
					}
				}
			}
			if strings.Contains(m.Text, "**") || strings.Contains(m.Text, "](") {
				t.Errorf("%s text part has raw Markdown:\n%s", lang, m.Text)
			}
			if got := m.Header.Get("Reply-To"); !strings.Contains(got, "bnp@example.org") {
				t.Errorf("%s Reply-To = %q", lang, got)
			}
		}
	})
}
