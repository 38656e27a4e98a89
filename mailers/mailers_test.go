package mailers

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/bnp/undersigned/locale"
)

// Every message key used in English exists in every language, so that a
// translation never silently falls back to English.
func TestEveryLanguageHasEveryMessage(t *testing.T) {
	for key := range messages["en"] {
		base, form, plural := cutPlural(key)
		for _, lang := range Languages[1:] {
			if plural {
				// A plural message has every form the language's CLDR rules
				// pick, whatever English needs.
				if form != "other" {
					continue
				}
				for _, n := range []int64{0, 1, 2, 5, 11, 21, 22, 25, 101} {
					if f := base + "." + locale.For(lang).Plural(n); messages[lang][f] == "" {
						t.Errorf("%s has no %q (for %d)", lang, f, n)
					}
				}
				continue
			}
			if _, ok := messages[lang][key]; !ok {
				t.Errorf("%s has no %q", lang, key)
			}
		}
	}
}

func cutPlural(key string) (base, form string, ok bool) {
	for _, f := range []string{"one", "few", "many", "other"} {
		// A plural message has an English ".one" and ".other"; "digest.other"
		// ("Other countries") is not one.
		if b, found := strings.CutSuffix(key, "."+f); found && messages["en"][b+".one"] != "" && messages["en"][b+".other"] != "" {
			return b, f, true
		}
	}
	return key, "", false
}

// A digest in Russian and Belarusian says "2 подтверждённые подписи",
// "5 пацверджаных подпісаў", groups numbers as CLDR says, dates the last
// update in the language, and names who sends it and where to write.
func TestDigestPluralsNumbersAndSender(t *testing.T) {
	c, err := NewCatalog(Site{ContactEmail: "team@example.org", SenderName: "undersigned"})
	if err != nil {
		t.Fatal(err)
	}
	params := func(total, since int64) []byte {
		return []byte(`{"subject":"S","campaigns":[{"title":"T","link":"http://localhost:8080/c/x","total":` +
			strconv.FormatInt(total, 10) + `,"since":` + strconv.FormatInt(since, 10) +
			`,"since_date":"2026-12-01","goal":10000,"countries":[{"country":"Беларусь","count":12000}]}],
			"unsubscribe":{"page":"http://localhost:8080/unsubscribe/t","one_click":"http://localhost:8080/api/v1/contacts/unsubscribe?token=t"},
			"sender":"Belarusian National Platform"}`)
	}
	cases := []struct {
		lang           string
		total, since   int64
		wants, notWant []string
	}{
		{"ru", 2, 5, []string{"2 подтверждённые подписи", "5 новых с предыдущего обзора от 1 декабря 2026\u202fг.", "цель: 10\u00a0000", "12\u00a0000", "Этот обзор отправляет Belarusian National Platform."}, []string{"подтверждённых подписей (", "10000"}},
		{"ru", 21, 1, []string{"21 подтверждённая подпись", "1 новая"}, nil},
		{"be", 5, 3, []string{"5 пацверджаных подпісаў", "3 новыя з папярэдняга агляду ад 1 снежня 2026\u202fг.", "мэта: 10\u00a0000"}, nil},
		{"en", 1, 2, []string{"1 confirmed signature", "2 new since the last update on December 1, 2026", "goal: 10,000"}, []string{"1 confirmed signatures"}},
	}
	for _, tc := range cases {
		e, err := c.Render(KindDigest, tc.lang, params(tc.total, tc.since))
		if err != nil {
			t.Fatal(err)
		}
		for _, part := range []string{e.Text, e.HTML} {
			for _, w := range tc.wants {
				w, _ = strconv.Unquote(`"` + w + `"`)
				if !strings.Contains(part, w) {
					t.Errorf("%s: %q missing from\n%s", tc.lang, w, part)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(part, w) {
					t.Errorf("%s: %q present", tc.lang, w)
				}
			}
			if !strings.Contains(part, "team@example.org") {
				t.Errorf("%s: no contact address in the footer", tc.lang)
			}
		}
		if e.Headers["Reply-To"] != "team@example.org" || strings.Contains(e.Headers["List-Unsubscribe"], "mailto:") {
			t.Errorf("%s: headers %v", tc.lang, e.Headers)
		}
		// The text part carries the links the HTML part does, no more, no fewer.
		links := regexp.MustCompile(`https?://[^\s"<>)]+`)
		if a, b := len(links.FindAllString(e.Text, -1)), len(links.FindAllString(e.HTML, -1)); a != b {
			t.Errorf("%s: %d links in text, %d in HTML", tc.lang, a, b)
		}
	}
}

// The confirmation email's text part has a link, not a button.
func TestPlainTextSaysLinkNotButton(t *testing.T) {
	c, err := NewCatalog(Site{})
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages {
		for _, kind := range []string{KindSignatureConfirm, "endorsement_verify"} {
			e, err := c.Render(kind, lang, []byte(`{"campaign":"C","confirm_link":"http://x/confirm/t","link":"http://x/e/t","days":7}`))
			if err != nil {
				t.Fatal(err)
			}
			for _, word := range []string{"button", "кнопк"} {
				if strings.Contains(e.Text, word) {
					t.Errorf("%s/%s: the text part speaks of a button", kind, lang)
				}
			}
		}
	}
}

// Every kind renders in every language with both parts, and no subject
// names a campaign's cause.
func TestEveryKindRenders(t *testing.T) {
	c, err := NewCatalog(Site{})
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range c.Kinds() {
		for _, lang := range Languages {
			e, err := c.Render(kind, lang, []byte(`{}`))
			if err != nil {
				t.Fatalf("%s/%s: %v", kind, lang, err)
			}
			if e.Subject == "" || !strings.Contains(e.HTML, "<html lang=\""+lang+"\">") || strings.TrimSpace(e.Text) == "" {
				t.Errorf("%s/%s: subject %q, html lang or text missing", kind, lang, e.Subject)
			}
			for _, word := range []string{"prison", "Belarus", "петиц", "палітвяз", "политзак"} {
				if strings.Contains(e.Subject, word) {
					t.Errorf("%s/%s: subject %q names the cause", kind, lang, e.Subject)
				}
			}
		}
	}
}
