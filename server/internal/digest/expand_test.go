package digest

import (
	"strings"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
)

// TestOneLanguagePerDigest: a contact reads the whole digest in their
// language when every campaign has it; else in the first campaign's own
// language when every campaign has that; else in English. Never English
// headings around a Russian statement.
func TestOneLanguagePerDigest(t *testing.T) {
	belarusian := Campaign{Slug: "b", Language: "be",
		Titles: map[string]string{"be": "Вызваліць усіх", "en": "Release all", "ru": "Освободить всех"},
		Calls:  map[string][]string{"be": {"заклік"}, "en": {"a call"}, "ru": {"призыв"}}}
	onlyOwn := Campaign{Slug: "o", Language: "be",
		Titles: map[string]string{"be": "Толькі па-беларуску"}, Calls: map[string][]string{"be": {"толькі"}}}
	cases := []struct {
		campaigns []Campaign
		lang      string
		want      string
		title     string
	}{
		{[]Campaign{belarusian}, "ru", "ru", "Освободить всех"},
		{[]Campaign{belarusian}, "de", "be", "Вызваліць усіх"},
		{[]Campaign{belarusian, onlyOwn}, "ru", "be", "Вызваліць усіх"}, // one campaign lacks Russian: all in Belarusian
		{[]Campaign{belarusian, onlyOwn}, "en", "be", "Вызваліць усіх"},
		{[]Campaign{belarusian, onlyOwn}, "be", "be", "Вызваліць усіх"},
	}
	for _, tc := range cases {
		p := Params(Content{Subject: "S", Campaigns: tc.campaigns}, tc.lang, (&Service{}).Unsubscribe("x"))
		if p.Language != tc.want || p.Campaigns[0].Title != tc.title {
			t.Errorf("%s over %d campaigns: language %s title %q, want %s %q", tc.lang, len(tc.campaigns), p.Language, p.Campaigns[0].Title, tc.want, tc.title)
		}
		for _, c := range p.Campaigns {
			if len(c.Calls) == 0 {
				t.Errorf("%s: a campaign without calls", tc.lang)
			}
		}
	}
}

// TestParamsNameCountriesInTheDigestLanguage: "(НКО, Польша)", not Poland.
func TestParamsNameCountriesInTheDigestLanguage(t *testing.T) {
	since := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	camp := Campaign{Slug: "b", Language: "en", Titles: map[string]string{"en": "T", "ru": "Т"},
		Calls: map[string][]string{"en": {"c"}, "ru": {"п"}}, SinceTime: &since,
		TopCountries: []store.CountryCount{{Country: "BY", Count: 12}, {Country: "other", Count: 3}},
		Organisation: []store.OrgLine{{Name: "Вясна", OrgType: "ngo", Country: "PL"}}}
	p := Params(Content{Subject: "S", Intro: "**Уважаемые** коллеги, [заявление](https://example.org/c/b)", Campaigns: []Campaign{camp}}, "ru", (&Service{}).Unsubscribe("x"))
	if p.Campaigns[0].Countries[0].Country != "Беларусь" || p.Campaigns[0].Countries[1].Country != "other" {
		t.Errorf("countries %v", p.Campaigns[0].Countries)
	}
	if p.Campaigns[0].Organisations[0].Country != "Польша" {
		t.Errorf("organisation country %q", p.Campaigns[0].Organisations[0].Country)
	}
	if strings.Contains(p.Intro, "**") || strings.Contains(p.Intro, "](") || !strings.Contains(p.Intro, "заявление (https://example.org/c/b)") {
		t.Errorf("plain-text intro %q", p.Intro)
	}
}

// TestNoMailtoAlternative: nobody reads the sender's mailbox, so
// List-Unsubscribe offers only the one-click https address.
func TestNoMailtoAlternative(t *testing.T) {
	l := &Service{PublicURL: "https://example.org", Keys: privacy.NewKeys(make([]byte, 32))}
	u := l.Unsubscribe("contact-1")
	if u.Mailto != "" || !strings.HasPrefix(u.OneClick, "https://example.org/api/v1/contacts/unsubscribe?token=") {
		t.Fatalf("links %+v", u)
	}
}
