package countries

import "testing"

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
