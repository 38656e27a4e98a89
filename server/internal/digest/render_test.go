package digest

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
)

// TestRenderOnceIsTheSameAsRenderingEach: a digest rendered once per
// language with each contact's unsubscribe links put in is, byte for
// byte, what rendering it for each contact gives.
func TestRenderOnceIsTheSameAsRenderingEach(t *testing.T) {
	catalog, err := mailers.NewCatalog(mailers.Site{})
	if err != nil {
		t.Fatal(err)
	}
	since := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	content := Content{Subject: "Weekly <update> & more", Intro: "Dear colleagues", IntroHTML: "<p>Dear <strong>colleagues</strong></p>",
		Campaigns: []Campaign{{Slug: "free", Link: "https://sign.example.org/c/free?x=1&y=2", Language: "be",
			Titles: map[string]string{"be": "Вызваліць усіх", "en": "Release all"}, Calls: map[string][]string{"en": {"Act <now>"}},
			Total: 12345, Since: 678, SinceTime: &since, Goal: 20000,
			TopCountries: []store.CountryCount{{Country: "BY", Count: 900}, {Country: "other", Count: 12}},
			Organisation: []store.OrgLine{{Name: "Viasna & Co", OrgType: "ngo", Country: "LT"}}}}}
	x := &Service{Catalog: catalog, cache: map[string]Content{"d1": content},
		PublicURL: "https://sign.example.org", Keys: privacy.NewKeys(make([]byte, 32))}
	ctx := context.Background()
	for _, lang := range []string{"en", "be", "ru"} {
		for _, contact := range []string{"c1", "c2", "c3"} {
			params := []byte(`{"digest":"d1","contact":"` + contact + `"}`)
			got, ok, err := x.Render(ctx, mailers.KindDigest, lang, params)
			if err != nil || !ok {
				t.Fatalf("%s/%s: %v, %v", lang, contact, ok, err)
			}
			expanded, err := x.Expand(ctx, mailers.KindDigest, lang, params)
			if err != nil {
				t.Fatal(err)
			}
			want, err := catalog.Render(mailers.KindDigest, lang, expanded)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s/%s: rendered once differs from rendered for the contact:\n%+v\nwant\n%+v", lang, contact, got, want)
			}
			token := x.Keys.UnsubscribeToken(contact)
			if !strings.Contains(got.Text, token) || !strings.Contains(got.HTML, token) || !strings.Contains(got.Headers["List-Unsubscribe"], token) {
				t.Fatalf("%s/%s: the contact's token is missing", lang, contact)
			}
		}
	}
	if _, ok, _ := x.Render(ctx, mailers.KindPasswordReset, "en", []byte(`{}`)); ok {
		t.Fatal("another kind was rendered as a digest")
	}
}
