// Package locale formats for readers in Belarusian, Russian and English:
// country names, numbers, dates and plural forms, from the CLDR data the SPA
// ships (frontend.CLDR), so that an email and the page it links to say the
// same thing the same way.
package locale

import (
	"encoding/json"
	"strings"

	"github.com/bnp/undersigned/frontend"
)

// Languages are the languages with data; the first is the fallback.
var Languages = []string{"en", "be", "ru"}

// Locale is one language's CLDR data.
type Locale struct {
	lang string
	data data
	// plural holds the compiled cardinal rules in CLDR's order of
	// precedence: the first that matches names the form.
	plural []pluralRule
}

type data struct {
	Countries          map[string]string `json:"countries"`
	Months             []string          `json:"months"`
	MonthsShort        []string          `json:"monthsShort"`
	WeekdaysStandalone []string          `json:"weekdaysStandalone"`
	DayPeriods         struct{ AM, PM string }
	Date               map[string]string `json:"date"`
	Time               map[string]string `json:"time"`
	DateTime           string            `json:"dateTime"`
	Skeletons          map[string]string `json:"skeletons"`
	Number             struct {
		Decimal               string `json:"decimal"`
		Group                 string `json:"group"`
		MinimumGroupingDigits int    `json:"minimumGroupingDigits"`
	} `json:"number"`
	Plurals map[string]string `json:"plurals"`
}

var locales = load()

func load() map[string]*Locale {
	out := map[string]*Locale{}
	for _, lang := range Languages {
		b, err := frontend.CLDR.ReadFile("src/lib/cldr/" + lang + ".json")
		if err != nil {
			panic("locale: " + err.Error())
		}
		l := &Locale{lang: lang}
		if err := json.Unmarshal(b, &l.data); err != nil {
			panic("locale: " + lang + ": " + err.Error())
		}
		l.plural = compilePlurals(l.data.Plurals)
		out[lang] = l
	}
	return out
}

// For returns the locale for a language tag ("be", "ru-RU"), English for
// any other.
func For(tag string) *Locale {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	if l, ok := locales[base]; ok {
		return l
	}
	return locales[Languages[0]]
}

// Supported reports whether tag's primary language has data.
func Supported(tag string) bool {
	base, _, _ := strings.Cut(strings.ToLower(tag), "-")
	_, ok := locales[base]
	return ok
}

// Lang is the locale's language code.
func (l *Locale) Lang() string { return l.lang }

// Country names an ISO 3166-1 alpha-2 code (or XK) in the locale's
// language; "" for an unknown code.
func (l *Locale) Country(code string) string { return l.data.Countries[code] }

// CountryCodes lists every code that has a name, the codes the server
// accepts.
func CountryCodes() []string {
	en := locales[Languages[0]].data.Countries
	out := make([]string, 0, len(en))
	for code := range en {
		out = append(out, code)
	}
	return out
}

// Number writes an integer with the locale's grouping ("10,000",
// "10 000"; Belarusian groups only from five digits, as CLDR says).
func (l *Locale) Number(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	digits := []byte(itoa(n))
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	group := len(digits) >= 3+max(l.data.Number.MinimumGroupingDigits, 1)
	for i, d := range digits {
		if group && i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(l.data.Number.Group)
		}
		b.WriteByte(d)
	}
	return b.String()
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var buf [20]byte
	i := len(buf)
	for n > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return string(buf[i:])
}
