package digest

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/bnp/undersigned/server/internal/privacy"
)

// TestParamsLanguageFallsBackToEnglish: a contact reads each campaign's
// title and calls in their language, else in English, else in the
// campaign's own language.
func TestParamsLanguageFallsBackToEnglish(t *testing.T) {
	t.Parallel()
	belarusian := Campaign{Slug: "b", Language: "be",
		Titles: map[string]string{"be": "Вызваліць усіх", "en": "Release all", "ru": "Освободить всех"},
		Calls:  map[string][]string{"be": {"заклік"}, "en": {"a call"}}}
	onlyOwn := Campaign{Slug: "o", Language: "be",
		Titles: map[string]string{"be": "Толькі па-беларуску"}, Calls: map[string][]string{"be": {"толькі"}}}
	c := Content{Subject: "S", Campaigns: []Campaign{belarusian, onlyOwn}}
	cases := []struct {
		lang               string
		title, call        string
		ownTitle, ownCalls string
	}{
		{"be", "Вызваліць усіх", "заклік", "Толькі па-беларуску", "толькі"},
		{"de", "Release all", "a call", "Толькі па-беларуску", "толькі"},
		{"ru", "Освободить всех", "a call", "Толькі па-беларуску", "толькі"}, // no Russian calls: English ones
		{"en", "Release all", "a call", "Толькі па-беларуску", "толькі"},
	}
	for _, tc := range cases {
		p := Params(c, tc.lang, Links{}.Unsubscribe("x"))
		if p.Campaigns[0].Title != tc.title || !slices.Equal(p.Campaigns[0].Calls, []string{tc.call}) {
			t.Errorf("%s: %q %v, want %q [%s]", tc.lang, p.Campaigns[0].Title, p.Campaigns[0].Calls, tc.title, tc.call)
		}
		if p.Campaigns[1].Title != tc.ownTitle || !slices.Equal(p.Campaigns[1].Calls, []string{tc.ownCalls}) {
			t.Errorf("%s, campaign without English: %q %v", tc.lang, p.Campaigns[1].Title, p.Campaigns[1].Calls)
		}
	}
}

// TestMailtoSubjectIsPercentEncoded: in a mailto: URL a "+" is a plus sign
// (RFC 6068), so the space of "unsubscribe <token>" must be %20.
func TestMailtoSubjectIsPercentEncoded(t *testing.T) {
	t.Parallel()
	l := Links{PublicURL: "https://example.org", MailFrom: "campaign@example.org", Keys: privacy.NewKeys(make([]byte, 32))}
	token := l.Keys.UnsubscribeToken("contact-1")
	m := l.Unsubscribe("contact-1").Mailto
	if m != "mailto:campaign@example.org?subject=unsubscribe%20"+token {
		t.Fatalf("mailto = %q", m)
	}
	u, err := url.Parse(m)
	if err != nil || u.Query().Get("subject") != "unsubscribe "+token || strings.Contains(m, "+") {
		t.Fatalf("mailto %q reads as subject %q (%v)", m, u.Query().Get("subject"), err)
	}
	if got := mailtoEscape("a+b & c=d"); got != "a%2Bb%20%26%20c%3Dd" {
		t.Fatalf("mailtoEscape = %q", got)
	}
}
