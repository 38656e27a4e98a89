package web

import (
	"bytes"
	"image/png"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/bnp/undersigned/locale"
)

func TestPick(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ query, cookie, accept, want string }{
		{"", "", "", "en"},
		{"", "", "be-BY,be;q=0.9,en;q=0.5", "be"},
		{"", "", "de-DE, ru;q=0.8", "ru"},
		{"", "", "be;q=0, ru", "ru"},
		{"", "be", "ru", "be"},
		{"ru", "be", "en", "ru"},
		{"xx", "zz", "fr", "en"},
	} {
		if got := Pick(c.query, c.cookie, c.accept); got != c.want {
			t.Errorf("Pick(%q, %q, %q) = %q, want %q", c.query, c.cookie, c.accept, got, c.want)
		}
	}
}

// The CLDR integer rules, checked on the numbers where they differ.
func TestPluralsAreCLDRs(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		lang string
		n    int64
		want string
	}{
		{"en", 0, "other"}, {"en", 1, "one"}, {"en", 2, "other"}, {"en", 21, "other"},
		{"be", 1, "one"}, {"be", 2, "few"}, {"be", 4, "few"}, {"be", 5, "many"}, {"be", 11, "many"}, {"be", 12, "many"},
		{"be", 21, "one"}, {"be", 22, "few"}, {"be", 111, "many"}, {"be", 0, "many"},
		{"ru", 1, "one"}, {"ru", 3, "few"}, {"ru", 14, "many"}, {"ru", 101, "one"}, {"ru", 1000, "many"},
	} {
		if got := locale.For(c.lang).Plural(c.n); got != c.want {
			t.Errorf("Plural(%s, %d) = %s, want %s", c.lang, c.n, got, c.want)
		}
	}
}

func TestTranslatorMatchesTheSPA(t *testing.T) {
	t.Parallel()
	r, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	be, ru, en := r.Translator("be"), r.Translator("ru"), r.Translator("en")
	for _, c := range []struct{ got, want string }{
		// As the SPA writes them from the same CLDR data (no-break spaces; be
		// groups from five digits; a narrow no-break space before "г.").
		{en.Num(1234567), "1,234,567"}, {ru.Num(1234), "1\u00a0234"}, {be.Num(1234), "1234"}, {be.Num(12345), "12\u00a0345"},
		{en.N("campaign.signatures", 1), "1 signature"}, {en.N("campaign.signatures", 1234), "1,234 signatures"},
		{be.N("campaign.signatures", 21), "21 подпіс"}, {be.N("campaign.signatures", 3), "3 подпісы"}, {be.N("campaign.signatures", 11), "11 подпісаў"},
		{ru.N("campaign.signatures", 2), "2 подписи"},
		{en.Date(time.Date(2025, 11, 30, 0, 0, 0, 0, time.UTC)), "November 30, 2025"},
		{be.Date(time.Date(2025, 11, 30, 0, 0, 0, 0, time.UTC)), "30 лістапада 2025\u202fг."},
		{ru.Date(time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)), "1 мая 2025\u202fг."},
		{be.Country("DE"), "Германія"}, {en.Country("BY"), "Belarus"},
		{en.S("campaign.goal", "goal", "10"), "Goal: 10"},
		{be.S("no.such.key"), "no.such.key"},
		// Resolving what a reader typed: a name in any of our languages, or a code.
		{en.ResolveCountry("belarus", nil), "BY"}, {en.ResolveCountry(" Беларусь ", []*T{be}), "BY"}, {en.ResolveCountry("pl", nil), "PL"},
		{en.ResolveCountry("Narnia", []*T{be, ru}), ""},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// The pages link the SPA's own built assets, and never an inline script.
func TestReadAssets(t *testing.T) {
	t.Parallel()
	spa := fstest.MapFS{"index.html": {Data: []byte(`<!doctype html><html><head>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<script type="module" crossorigin src="/assets/index-abc.js"></script>
<link rel="modulepreload" crossorigin href="/assets/i18n-def.js">
<link rel="stylesheet" crossorigin href="/assets/index-123.css">
<script>alert(1)</script>
<link rel="stylesheet" href="https://cdn.example/x.css">
</head><body><div id="app"></div></body></html>`)}}
	a := ReadAssets(spa)
	if !a.Styled || !strings.Contains(string(a.Styles), `href="/assets/index-123.css"`) || !strings.Contains(string(a.Styles), "favicon.svg") {
		t.Errorf("styles: %s", a.Styles)
	}
	if !strings.Contains(string(a.Scripts), `src="/assets/index-abc.js"`) || !strings.Contains(string(a.Scripts), "i18n-def.js") {
		t.Errorf("scripts: %s", a.Scripts)
	}
	for _, bad := range []string{"alert", "cdn.example"} {
		if strings.Contains(string(a.Styles+a.Scripts), bad) {
			t.Errorf("%s copied", bad)
		}
	}

	r, err := New(spa)
	if err != nil {
		t.Fatal(err)
	}
	page := func(takeOver bool) string {
		body, err := r.Render("privacy", Page{T: r.Translator("ru"), Route: "privacy", Path: "/privacy", Title: "x", TakeOver: takeOver, Body: PrivacySections})
		if err != nil {
			t.Fatal(err)
		}
		return string(body)
	}
	live, posted := page(true), page(false)
	if !strings.Contains(live, "/assets/index-abc.js") || strings.Contains(posted, "/assets/index-abc.js") || !strings.Contains(posted, "index-123.css") {
		t.Error("a page loads the SPA only when it is to take over, and the stylesheet always")
	}
	for _, tag := range regexp.MustCompile(`<script\b[^>]*>`).FindAllString(live, -1) {
		if !strings.Contains(tag, ` src="/`) {
			t.Errorf("inline script: %s", tag)
		}
	}
	if !strings.Contains(live, `<html lang="ru">`) || !strings.Contains(live, `data-ssr="privacy"`) || !strings.Contains(live, `aria-current="page">Конфиденциальность`) {
		t.Errorf("frame:\n%s", live)
	}
}

func TestShareImage(t *testing.T) {
	t.Parallel()
	title := "Заява Беларускай нацыянальнай платформы Форуму грамадзянскай супольнасці Усходняга партнёрства аб вызваленні і прымусовай дэпартацыі палітвязняў, і яшчэ вельмі шмат слоў, каб не змясціцца"
	b, err := ShareImage(title, "1 234 подпісы", "undersigned")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != ShareWidth || img.Bounds().Dy() != ShareHeight {
		t.Fatalf("size %v", img.Bounds())
	}
	// Text was drawn: some pixels are the text's colour, not the background's.
	drawn := 0
	for y := 0; y < ShareHeight; y += 3 {
		for x := 0; x < ShareWidth; x += 3 {
			if r, _, _, _ := img.At(x, y).RGBA(); r>>8 > 0xf0 {
				drawn++
			}
		}
	}
	if drawn < 500 {
		t.Fatalf("only %d text pixels", drawn)
	}
}
