package countries

import (
	"strings"
	"testing"
)

func TestValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code string
		want bool
	}{
		{"BY", true},
		{"LT", true},
		{"PL", true},
		{"UA", true},
		{"US", true},
		{"VA", true},
		{"XK", true}, // Kosovo: user-assigned, but in use
		{"GB", true},
		{"AX", true},
		{"UK", false}, // reserved, not assigned: the United Kingdom is GB
		{"EU", false}, // exceptionally reserved, not a country
		{"ZZ", false},
		{"by", false}, // stored codes are upper case
		{"BLR", false},
		{"B", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := Valid(tt.code); got != tt.want {
			t.Errorf("Valid(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestName(t *testing.T) {
	t.Parallel()
	tests := []struct{ code, want string }{
		{"BY", "Belarus"},
		{"LT", "Lithuania"},
		{"PL", "Poland"},
		{"UA", "Ukraine"},
		{"US", "United States"},
		{"VA", "Vatican City"},
		{"XK", "Kosovo"},
		{"GB", "United Kingdom"},
		{"UK", ""},
		{"by", ""},
	}
	for _, tt := range tests {
		if got := Name(tt.code); got != tt.want {
			t.Errorf("Name(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

func TestAll(t *testing.T) {
	t.Parallel()
	all := All()
	// 249 officially assigned ISO 3166-1 codes, plus XK.
	if len(all) != 250 {
		t.Fatalf("All() has %d countries, want 250", len(all))
	}
	seen := map[string]bool{}
	for i, c := range all {
		if len(c.Code) != 2 || strings.ToUpper(c.Code) != c.Code || c.Name == "" {
			t.Errorf("malformed entry %+v", c)
		}
		if seen[c.Code] {
			t.Errorf("duplicate code %s", c.Code)
		}
		seen[c.Code] = true
		if i > 0 && sortKey(all[i-1].Name) > sortKey(c.Name) {
			t.Errorf("not sorted by name: %q before %q", all[i-1].Name, c.Name)
		}
	}
	if all[0].Code != "AF" || all[1].Code != "AX" {
		t.Errorf("All() starts %v, %v; want Afghanistan, Åland Islands", all[0], all[1])
	}
	if all[len(all)-1].Code != "ZW" {
		t.Errorf("All() ends with %v, want Zimbabwe", all[len(all)-1])
	}
	all[0].Name = "changed"
	if Name("AF") != "Afghanistan" {
		t.Error("changing All()'s result changed the table")
	}
}
