package store

import "testing"

func TestOrgNameKey(t *testing.T) {
	t.Parallel()
	same := [][]string{
		{"Viasna Human Rights Centre", "VIASNA human-rights centre, e.V.", "  viasna   human rights  centre ", "The Viasna Human Rights Centre"},
		{"Razam e.V.", "RAZAM", "Razam eV", "Razam"},
		{"Dissidentby Ltd.", "dissidentby", "Dissidentby LLC"},
		{"ОО «Вясна»", "Вясна", "вясна!"},
		{"Smith & Partners", "Smith / Partners", "smith partners"},
	}
	for _, group := range same {
		for _, name := range group[1:] {
			if a, b := orgNameKey(group[0]), orgNameKey(name); a != b {
				t.Errorf("%q → %q but %q → %q: want the same key", group[0], a, name, b)
			}
		}
	}
	different := [][2]string{
		{"Viasna", "Viasna 96"},
		{"Belarusian Association of Journalists", "Belarusian Association of Journalists in Exile"},
		{"Ltd", "Inc"}, // a name that is only a suffix is kept
	}
	for _, pair := range different {
		if orgNameKey(pair[0]) == orgNameKey(pair[1]) {
			t.Errorf("%q and %q have the same key %q", pair[0], pair[1], orgNameKey(pair[0]))
		}
	}
}
