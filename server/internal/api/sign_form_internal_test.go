package api

import "testing"

func TestDisplayName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, visibility, want string }{
		{"Alena Kavalenka", "initials", "Alena K."},
		{"Алена Каваленка", "initials", "Алена К."},
		{"Jan van der berg", "initials", "Jan B."},
		{"Kavalenka", "initials", "K."},
		{"Alena Kavalenka", "public", "Alena Kavalenka"},
		{"Alena Kavalenka", "private", ""},
	} {
		if got := displayName(tc.name, tc.visibility); got != tc.want {
			t.Errorf("displayName(%q, %q) = %q, want %q", tc.name, tc.visibility, got, tc.want)
		}
	}
}

// Names are what people type, emoji sequences included (issue 11, hole 8);
// invisible characters on their own are not.
func TestPrintableAcceptsWhatPeopleType(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"Алена Каваленка", true},
		{"Alena 👩\u200d👩\u200d👧", true},
		{"Maks ❤\ufe0f\u200d🔥", true},
		{"Fiona 🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", true},
		{"Kim 👍🏽", true},
		{"مهر\u200cناز", true},
		{"\u200d", false},
		{"Alena \u200d", false},
		{"\u200dAlena", false},
		{"Ale\u200d\u200dna", false},
		{"\U000E0067", false},
		{"Alena\u200b", false}, // zero-width space: nobody types it
		{"Alena\u202e", false}, // right-to-left override
		{"Alena\x07", false},
	} {
		if got := printable(tc.s, false); got != tc.want {
			t.Errorf("printable(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}
