package store

import (
	"fmt"
	"strings"
)

// Missing lists what a translation lacks to be served: "title", "summary",
// "body", and "calls" (none translated) or "call N" (1-based) for each call
// left empty. A translation with anything missing is a draft: kept for
// the console, never shown to readers nor used in emails, so that a page
// marked lang="be" never serves an English statement.
func (c Campaign) Missing(t Translation) []string {
	var out []string
	for _, part := range []struct{ name, text string }{{"title", t.Title}, {"summary", t.Summary}, {"body", t.Body}} {
		if strings.TrimSpace(part.text) == "" {
			out = append(out, part.name)
		}
	}
	if len(c.Calls) > 0 && len(t.Calls) != len(c.Calls) {
		return append(out, "calls")
	}
	for i, call := range t.Calls {
		if strings.TrimSpace(call) == "" {
			out = append(out, fmt.Sprintf("call %d", i+1))
		}
	}
	return out
}

// Served returns the campaign's translations that are complete, the only
// ones readers and officials see.
func (c Campaign) Served() []Translation {
	out := make([]Translation, 0, len(c.Translations))
	for _, t := range c.Translations {
		if len(c.Missing(t)) == 0 {
			out = append(out, t)
		}
	}
	return out
}

// ServedIn returns the campaign's complete translation in lang, if it has
// one: the one rule by which the API, the server-rendered pages and the
// emails show a campaign in another language than its own.
func (c Campaign) ServedIn(lang string) (Translation, bool) {
	if lang == c.Language {
		return Translation{}, false
	}
	for _, t := range c.Served() {
		if t.Language == lang {
			return t, true
		}
	}
	return Translation{}, false
}

// InLanguage returns the campaign's title and calls in lang when a complete
// translation exists, else in its own language, and the language used.
func (c Campaign) InLanguage(lang string) (title string, calls []string, used string) {
	if t, ok := c.ServedIn(lang); ok {
		return t.Title, t.Calls, lang
	}
	calls = make([]string, len(c.Calls))
	for i, call := range c.Calls {
		calls[i] = call.Text
	}
	return c.Title, calls, c.Language
}
