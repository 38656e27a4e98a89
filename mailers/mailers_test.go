package mailers

import (
	"strings"
	"testing"
)

// Every message key used in English exists in every language, so that a
// translation never silently falls back to English.
func TestEveryLanguageHasEveryMessage(t *testing.T) {
	for key := range messages["en"] {
		for _, lang := range Languages[1:] {
			if _, ok := messages[lang][key]; !ok {
				t.Errorf("%s has no %q", lang, key)
			}
		}
	}
}

// Every kind renders in every language with both parts, and no subject
// names a campaign's cause.
func TestEveryKindRenders(t *testing.T) {
	c, err := NewCatalog(Site{PublicURL: "http://localhost:8080"})
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
