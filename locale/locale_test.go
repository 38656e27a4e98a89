package locale

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bnp/undersigned/frontend"
)

// Every integer sample CLDR gives for a form ("@integer 2~4, 22~24, …")
// must land in that form.
func TestPluralSamples(t *testing.T) {
	b, err := frontend.CLDR.ReadFile("src/lib/cldr/plural-samples.json")
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]map[string]string{}
	if err := json.Unmarshal(b, &all); err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages {
		l := For(lang)
		for form, rule := range all[lang] {
			_, samples, ok := strings.Cut(rule, "@integer")
			if !ok {
				continue
			}
			samples, _, _ = strings.Cut(samples, "@")
			for _, s := range strings.Split(samples, ",") {
				s = strings.TrimSpace(s)
				if s == "…" || s == "" {
					continue
				}
				lo, hi, isRange := strings.Cut(s, "~")
				if !isRange {
					hi = lo
				}
				a, _ := strconv.ParseInt(lo, 10, 64)
				b, _ := strconv.ParseInt(hi, 10, 64)
				for n := a; n <= b; n++ {
					if got := l.Plural(n); got != form {
						t.Errorf("%s: Plural(%d) = %s, want %s", lang, n, got, form)
					}
				}
			}
		}
	}
}

func TestPluralForms(t *testing.T) {
	tests := []struct {
		lang string
		n    int64
		want string
	}{
		{"ru", 1, "one"}, {"ru", 2, "few"}, {"ru", 5, "many"}, {"ru", 11, "many"}, {"ru", 21, "one"}, {"ru", 22, "few"}, {"ru", 0, "many"},
		{"be", 1, "one"}, {"be", 3, "few"}, {"be", 12, "many"}, {"be", 101, "one"},
		{"en", 1, "one"}, {"en", 2, "other"}, {"en", 0, "other"},
	}
	for _, tt := range tests {
		if got := For(tt.lang).Plural(tt.n); got != tt.want {
			t.Errorf("%s Plural(%d) = %s, want %s", tt.lang, tt.n, got, tt.want)
		}
	}
}

func TestNumber(t *testing.T) {
	tests := []struct {
		lang string
		n    int64
		want string
	}{
		{"en", 10000, "10,000"}, {"en", 1234, "1,234"}, {"en", 999, "999"}, {"en", 1234567, "1,234,567"},
		{"ru", 10000, "10\u00a0000"}, {"ru", 1234, "1\u00a0234"},
		{"be", 10000, "10\u00a0000"}, {"be", 1234, "1234"}, // Belarusian groups from five digits
		{"en", -1234, "-1,234"}, {"en", 0, "0"},
	}
	for _, tt := range tests {
		if got := For(tt.lang).Number(tt.n); got != tt.want {
			t.Errorf("%s Number(%d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
}

func TestDates(t *testing.T) {
	d := time.Date(2026, 12, 1, 14, 30, 0, 0, time.UTC)
	tests := []struct{ lang, style, want string }{
		{"be", "long", "1 снежня 2026\u202fг."},
		{"ru", "long", "1 декабря 2026\u202fг."},
		{"en", "long", "December 1, 2026"},
		{"en", "medium", "Dec 1, 2026"},
	}
	for _, tt := range tests {
		if got := For(tt.lang).Date(d, tt.style); got != tt.want {
			t.Errorf("%s %s = %q, want %q", tt.lang, tt.style, got, tt.want)
		}
	}
	if got := For("en").DateTime(d); got != "Dec 1, 2026, 2:30\u202fPM" && got != "Dec 1, 2026, 2:30 PM" {
		t.Errorf("en DateTime = %q", got)
	}
	if got := For("be").DateTime(d); got != "1 сне 2026\u202fг., 14:30" {
		t.Errorf("be DateTime = %q", got)
	}
}

func TestCountries(t *testing.T) {
	if got := For("be").Country("LT"); got != "Літва" {
		t.Errorf("be LT = %q", got)
	}
	if got := For("ru-RU").Country("BY"); got != "Беларусь" {
		t.Errorf("ru BY = %q", got)
	}
	if got := For("de").Country("PL"); got != "Poland" {
		t.Errorf("fallback PL = %q", got)
	}
	if n := len(CountryCodes()); n != 250 {
		t.Errorf("%d codes, want 250", n)
	}
	for _, lang := range Languages {
		for _, code := range CountryCodes() {
			if For(lang).Country(code) == "" {
				t.Errorf("%s has no name for %s", lang, code)
			}
		}
	}
}
