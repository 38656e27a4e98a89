package digest

import (
	"fmt"
	"testing"
)

// FuzzParseLocalTime: an accepted schedule time is shown exactly as typed,
// so it is strictly HH:MM.
func FuzzParseLocalTime(f *testing.F) {
	for _, s := range []string{"09:00", "23:59", "+9:+5", "-0:00", " 9:00", "24:00", "9:5", "09:00\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, m, err := ParseLocalTime(s)
		if err != nil {
			return
		}
		if back := fmt.Sprintf("%02d:%02d", h, m); back != s || h > 23 || m > 59 {
			t.Fatalf("%q accepted as %s", s, back)
		}
	})
}
