package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/markdown"
	"github.com/bnp/undersigned/server/internal/store"
)

// FuzzContactImportMatchesSingleContact: a CSV row is accepted and stored
// exactly when the same fields sent to POST /admin/contacts would be.
func FuzzContactImportMatchesSingleContact(f *testing.F) {
	f.Add("Anna Official", "anna@parliament.example", "eu", "MEP", "Parliament", "LT", "en", "foreign affairs")
	f.Add(" Anna", "ANNA@example.org ", "EU", "", "", "lt", "", "")
	f.Add("=cmd|'/C calc'!A0", "a@b.org", "other", "\x1b[2J", "", "", "EN", "x")
	f.Add("Anna", "Anna <anna@example.org>", "us", "", "", "ZZ", "english", "")
	f.Add("\"Anna\"", "anna@example.org", "us", "a\nb", "", "", "", "a b")
	f.Fuzz(func(t *testing.T, name, email, region, title, institution, country, language, tag string) {
		var file bytes.Buffer
		w := csv.NewWriter(&file)
		_ = w.Write([]string{"name", "email", "region", "title", "institution", "country", "language", "tags"})
		_ = w.Write([]string{name, email, region, title, institution, country, language, tag})
		w.Flush()
		fixed := func() store.Contact { return store.Contact{ID: "c1"} }
		imp, err := readImport(file.Bytes(), fixed)
		if err != nil {
			return // a file the reader refuses as a whole (say, an empty name column read as no row)
		}
		tags := []string{tag}
		single := fixed()
		fe := fieldErrors{}
		applyContact(fe, &single, contactInput{Name: &name, Email: &email, Region: &region, Title: &title,
			Institution: &institution, Country: &country, Language: &language, Tags: &tags}, true)
		switch {
		case len(imp.valid)+len(imp.rejected) != 1:
			// CSV quoting can make one written row read as none (a blank
			// line) only when every cell is empty; the API refuses that too.
			if len(fe) == 0 {
				t.Fatalf("the API accepts %+v but the file held %d rows", single, len(imp.valid)+len(imp.rejected))
			}
		case len(imp.valid) == 1 && len(fe) > 0:
			t.Fatalf("import accepted %+v; the API refuses %v", imp.valid[0], fe)
		case len(imp.valid) == 0 && len(fe) == 0 && !csvSplitsTags(tag):
			t.Fatalf("import refused %v; the API accepts %+v", imp.rejected[0].Fields, single)
		case len(imp.valid) == 1 && !csvSplitsTags(tag) && !reflect.DeepEqual(imp.valid[0], single):
			t.Fatalf("import stored %+v, the API %+v", imp.valid[0], single)
		}
	})
}

// csvSplitsTags: a tags cell is a list in a file, one tag in the API.
func csvSplitsTags(tag string) bool {
	return bytes.ContainsAny([]byte(tag), ",|")
}

// FuzzCampaignFormRoundTrip: a campaign the form accepts can be shown (its
// JSON written), holds times in years 1–9999 and control-free text, and
// sending back what the console shows changes nothing.
func FuzzCampaignFormRoundTrip(f *testing.F) {
	f.Add("Free them", "Summary", "## Why\n\n**Now**", "2026-01-10T09:00:00Z", "9999-12-31T23:59:59-23:59", "Release them.", "Вызваліць.")
	f.Add("T", "", "<script>x</script>", "0001-01-01T00:00:00+00:01", "", "\x1b[2J\x07", "\u0085")
	f.Add("  spaced  ", "s", "", "2026-03-25T09:00:00.123456789+14:00", "2027-03-25T09:00:00Z", "c", "c")
	f.Fuzz(func(t *testing.T, title, summary, body, opens, closes, call, translated string) {
		in := campaignInput{Title: &title, Summary: &summary, Body: &body,
			OpensAt: optionalTime{Set: opens != "", Raw: opens}, ClosesAt: optionalTime{Set: closes != "", Raw: closes},
			Calls:        &[]callInput{{Audiences: []string{"eu"}, Text: call}},
			Translations: &map[string]translationInput{"be": {Title: title, Calls: []string{translated}}}}
		slug, lang, status, days := "free-them", "en", store.StatusDraft, 30
		in.Slug, in.Language, in.Status, in.RetentionDays = &slug, &lang, &status, &days
		var c store.Campaign
		if applyCampaign(&c, in, true) != nil {
			return
		}
		shown, err := json.Marshal(viewAdminCampaign(c))
		if err != nil {
			t.Fatalf("an accepted campaign cannot be shown: %v", err)
		}
		for _, tm := range []*time.Time{c.OpensAt, c.ClosesAt} {
			if tm != nil && (tm.Year() < 1 || tm.Year() > 9999) {
				t.Fatalf("time %v accepted", tm)
			}
		}
		if c.BodyHTML != markdown.ToHTML(c.Body) {
			t.Fatalf("body_html is not the sanitised body")
		}
		// The console sends back what it was shown.
		var back campaignInput
		if err := json.Unmarshal(shown, &back); err != nil {
			t.Fatalf("what was shown does not read back: %v", err)
		}
		again := c
		if err := applyCampaign(&again, back, false); err != nil {
			t.Fatalf("sending back the shown campaign is refused: %v\n%s", err, shown)
		}
		if !reflect.DeepEqual(again, c) {
			t.Fatalf("round trip changed the campaign:\n%+v\n%+v", c, again)
		}
	})
}
