package web

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/bnp/undersigned/locale"
	"github.com/bnp/undersigned/server/internal/countries"
)

// T translates for one language, as the SPA's createTranslator does:
// a missing key falls back to English, then to the key itself; {name}
// placeholders are filled from pairs of arguments.
type T struct {
	Lang    string
	own, en map[string]string
	// loc is the CLDR data of the language, shared with the SPA and emails.
	loc *locale.Locale

	once   sync.Once
	names  []string
	byName map[string]string
}

var placeholder = regexp.MustCompile(`\{(\w+)\}`)

// S is the string for key, with {name} placeholders filled from kv, given
// as name, value, name, value...
func (t *T) S(key string, kv ...any) string {
	text, ok := t.own[key]
	if !ok {
		if text, ok = t.en[key]; !ok {
			text = key
		}
	}
	if len(kv) == 0 {
		return text
	}
	vars := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		vars[fmt.Sprint(kv[i])] = fmt.Sprint(kv[i+1])
	}
	return placeholder.ReplaceAllStringFunc(text, func(whole string) string {
		if v, ok := vars[whole[1:len(whole)-1]]; ok {
			return v
		}
		return whole
	})
}

// N is the plural form of key for count ("key.one", "key.few", ...,
// "key.other"), with {count} formatted, as the SPA's tn().
func (t *T) N(key string, count int64, kv ...any) string {
	form := key + "." + t.loc.Plural(count)
	if _, ok := t.own[form]; !ok {
		if _, ok := t.en[form]; !ok {
			form = key + ".other"
		}
	}
	return t.S(form, append(kv, "count", t.Num(count))...)
}

// Num formats an integer by CLDR's rules for the language, as the SPA
// does: "1,234" in English, "10 000" in Belarusian and Russian.
func (t *T) Num(n int64) string { return t.loc.Number(n) }

// Date formats a day in CLDR's long style: "November 30, 2025",
// "30 лістапада 2025 г.", "30 ноября 2025 г.".
func (t *T) Date(d time.Time) string { return t.loc.Date(d, "long") }

// Country names an ISO 3166-1 country in the language (CLDR's names),
// or gives the code back when it has no name.
func (t *T) Country(code string) string {
	if name := t.loc.Country(code); name != "" {
		return name
	}
	return code
}

// CountryNames are the countries' names in the language, sorted, for the
// country fields' suggestion lists.
func (t *T) CountryNames() []string {
	t.once.Do(func() {
		coll := collate.New(language.MustParse(t.Lang))
		for _, code := range locale.CountryCodes() {
			name := t.Country(code)
			t.names = append(t.names, name)
			t.byName[strings.ToLower(name)] = code
		}
		coll.SortStrings(t.names)
	})
	return t.names
}

// ResolveCountry turns what a reader typed in a country field (a name
// from the list in this language or another of ours, or a code) into a
// code; "" when it names no country. The API then checks the code as it
// checks the SPA's.
func (t *T) ResolveCountry(typed string, all []*T) string {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return ""
	}
	if code := strings.ToUpper(typed); len(code) == 2 && countries.Valid(code) {
		return code
	}
	key := strings.ToLower(strings.Join(strings.Fields(typed), " "))
	for _, tr := range append([]*T{t}, all...) {
		tr.CountryNames()
		if code, ok := tr.byName[key]; ok {
			return code
		}
	}
	return ""
}
