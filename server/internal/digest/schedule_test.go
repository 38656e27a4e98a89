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

// A weekly digest at a local time inside the hour skipped by the spring
// change fires at the first valid instant after the gap, 03:00 local, in
// both zones (Go alone would go an hour early in New York, an hour late in
// Brussels). Clocks move forward on 14 March 2027 in New York, 28 March
// 2027 in Brussels.
func TestScheduleInsideTheSpringGapFiresWhenTheClocksJump(t *testing.T) {
	utc := func(s string) time.Time {
		at, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return at
	}
	cases := []struct {
		zone, jump string // the jump: 03:00 local, just after the gap
	}{
		{"America/New_York", "2027-03-14T07:00:00Z"},
		{"Europe/Brussels", "2027-03-28T01:00:00Z"},
	}
	for _, c := range cases {
		sc := store.Schedule{Weekday: int(time.Sunday), LocalTime: "02:30", Timezone: c.zone}
		jump := utc(c.jump)
		// Moving the clock forward minute by minute through the night:
		// nothing is due before the jump, and from it on the fire is the jump.
		for now := jump.Add(-2 * time.Hour); now.Before(jump.Add(2 * time.Hour)); now = now.Add(time.Minute) {
			fire, period, err := LastFire(sc, now)
			if err != nil {
				t.Fatal(err)
			}
			if now.Before(jump) && !fire.Before(jump.Add(-6*24*time.Hour)) {
				t.Fatalf("%s at %s: due %s, before the clocks jumped", c.zone, now.Format(time.RFC3339), fire.UTC().Format(time.RFC3339))
			}
			if !now.Before(jump) && (!fire.Equal(jump) || period != jump.In(fire.Location()).Format("2006-01-02")) {
				t.Fatalf("%s at %s: fire %s %s, want %s", c.zone, now.Format(time.RFC3339), fire.UTC().Format(time.RFC3339), period, c.jump)
			}
		}
		loc, _ := time.LoadLocation(c.zone)
		if got := LocalInstant(jump.In(loc).Year(), jump.In(loc).Month(), jump.In(loc).Day(), 3, 0, loc); !got.Equal(jump) {
			t.Errorf("%s: 03:00 is %s", c.zone, got)
		}
		// The week after, 02:30 exists again and is 02:30.
		next := LocalInstant(jump.In(loc).Year(), jump.In(loc).Month(), jump.In(loc).Day()+7, 2, 30, loc)
		if l := next.In(loc); l.Hour() != 2 || l.Minute() != 30 {
			t.Errorf("%s: a week later 02:30 reads %s", c.zone, l)
		}
	}
}
