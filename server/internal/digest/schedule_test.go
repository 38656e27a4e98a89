package digest

import (
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/store"
)

// Monday 09:00 in Brussels is 07:00 UTC in summer time and 08:00 UTC in
// winter time; the EU left summer time on Sunday 25 October 2026. New York
// left it a week later, on 1 November 2026.
func TestLastFireAcrossDaylightSaving(t *testing.T) {
	t.Parallel()
	brussels := store.Schedule{Weekday: int(time.Monday), LocalTime: "09:00", Timezone: "Europe/Brussels"}
	newYork := store.Schedule{Weekday: int(time.Monday), LocalTime: "09:00", Timezone: "America/New_York"}
	utc := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	cases := []struct {
		name       string
		sc         store.Schedule
		now        string
		wantFire   string
		wantPeriod string
	}{
		{"summer, just due", brussels, "2026-10-19T07:00:00Z", "2026-10-19T07:00:00Z", "2026-10-19"},
		{"summer, a minute early", brussels, "2026-10-19T06:59:00Z", "2026-10-12T07:00:00Z", "2026-10-12"},
		{"winter, 07:30 UTC is 08:30 local: not yet", brussels, "2026-10-26T07:30:00Z", "2026-10-19T07:00:00Z", "2026-10-19"},
		{"winter, due at 08:00 UTC", brussels, "2026-10-26T08:00:00Z", "2026-10-26T08:00:00Z", "2026-10-26"},
		{"mid-week points back to Monday", brussels, "2026-10-28T12:00:00Z", "2026-10-26T08:00:00Z", "2026-10-26"},
		{"New York before its change", newYork, "2026-10-26T13:00:00Z", "2026-10-26T13:00:00Z", "2026-10-26"},
		{"New York after its change", newYork, "2026-11-02T14:00:00Z", "2026-11-02T14:00:00Z", "2026-11-02"},
		{"New York, 13:30 UTC after the change is 08:30 local", newYork, "2026-11-02T13:30:00Z", "2026-10-26T13:00:00Z", "2026-10-26"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fire, period, err := LastFire(c.sc, utc(c.now))
			if err != nil {
				t.Fatal(err)
			}
			if !fire.Equal(utc(c.wantFire)) || period != c.wantPeriod {
				t.Fatalf("LastFire(%s) = %s %s, want %s %s", c.now, fire.UTC().Format(time.RFC3339), period, c.wantFire, c.wantPeriod)
			}
		})
	}
}

func TestParseLocalTime(t *testing.T) {
	t.Parallel()
	for in, ok := range map[string]bool{"09:00": true, "23:59": true, "00:00": true, "9:00": false, "24:00": false, "09:60": false, "nine": false, "": false} {
		if _, _, err := ParseLocalTime(in); (err == nil) != ok {
			t.Errorf("ParseLocalTime(%q) error = %v, want ok=%v", in, err, ok)
		}
	}
}

func TestParseLocalTimeIsStrictlyHHMM(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"00:00", "09:05", "23:59"} {
		if _, _, err := ParseLocalTime(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	// "+9:+5" and "-0:00" were once stored and shown as typed.
	for _, bad := range []string{"+9:+5", "-0:00", " 9:00", "9:00", "09:5", "24:00", "23:60", "0900", "09:00 ", "０9:00", "09-00", ""} {
		if h, m, err := ParseLocalTime(bad); err == nil {
			t.Errorf("%q accepted as %d:%d", bad, h, m)
		}
	}
}
