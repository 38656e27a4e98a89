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
