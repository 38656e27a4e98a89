package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/digest"
	"github.com/bnp/undersigned/server/internal/store"
)

// digestsOfSchedule returns the digests a schedule made, newest first.
func (e *env) digestsOfSchedule(t *testing.T, editor, scheduleID string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, it := range e.get("/api/v1/admin/digests", editor).wantStatus(t, 200).JSON(t)["items"].([]any) {
		if d := it.(map[string]any); d["schedule_id"] == scheduleID {
			out = append(out, d)
		}
	}
	return out
}

// TestSundayScheduleAcrossDaylightSavingEndToEnd runs a weekly Sunday 09:00
// schedule through the scheduler's own loop body (digest.Sender.Run, as
// serve's scheduler calls it every half minute, here with chosen instants)
// on the Sundays the clocks change in Brussels and New York. On each, the
// digest is made and sent once, at 09:00 local time, never at the instant
// 09:00 would be under the offset of the other side of the change, and it
// reaches the region's officials once each through the SMTP server.
func TestSundayScheduleAcrossDaylightSavingEndToEnd(t *testing.T) {
	t.Parallel()
	utc := func(s string) time.Time {
		t.Helper()
		at, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	cases := []struct {
		name, zone, region, sunday string
		// quiet are instants of that Sunday before 09:00 local, among them
		// 09:00 under the offset of before the change (autumn); due is
		// 09:00 local; after are later instants, among them 09:00 under the
		// offset of before the change (spring).
		quiet []string
		due   string
		after []string
	}{
		{"Brussels into summer time", "Europe/Brussels", "eu", "2027-03-28",
			[]string{"2027-03-28T00:59:00Z", "2027-03-28T01:00:00Z", "2027-03-28T06:59:59Z"},
			"2027-03-28T07:00:00Z", []string{"2027-03-28T07:00:30Z", "2027-03-28T08:00:00Z", "2027-03-28T08:00:30Z", "2027-03-30T12:00:00Z"}},
		{"Brussels out of summer time", "Europe/Brussels", "eu", "2027-10-31",
			[]string{"2027-10-31T00:59:00Z", "2027-10-31T07:00:00Z", "2027-10-31T07:00:30Z", "2027-10-31T07:59:59Z"},
			"2027-10-31T08:00:00Z", []string{"2027-10-31T08:00:30Z", "2027-10-31T09:00:00Z", "2027-11-02T12:00:00Z"}},
		{"New York into summer time", "America/New_York", "us", "2027-03-14",
			[]string{"2027-03-14T06:59:00Z", "2027-03-14T07:00:00Z", "2027-03-14T12:59:59Z"},
			"2027-03-14T13:00:00Z", []string{"2027-03-14T13:00:30Z", "2027-03-14T14:00:00Z", "2027-03-14T14:00:30Z", "2027-03-16T12:00:00Z"}},
		{"New York out of summer time", "America/New_York", "us", "2027-11-07",
			[]string{"2027-11-07T05:59:00Z", "2027-11-07T06:00:00Z", "2027-11-07T13:00:00Z", "2027-11-07T13:59:59Z"},
			"2027-11-07T14:00:00Z", []string{"2027-11-07T14:00:30Z", "2027-11-07T15:00:00Z", "2027-11-09T12:00:00Z"}},
	}
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		ctx := context.Background()
		officials := map[string][]string{"eu": e.officials(t, "eu", 3), "us": e.officials(t, "us", 2)}
		editor := e.token("editor")
		sender := digest.Sender{Digests: digestService(e.cfg, e.db.Store, nil), Wake: e.queue.Wake}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				due := utc(c.due)
				if local := due.In(mustZone(t, c.zone)); local.Format("2006-01-02 15:04 Mon") != c.sunday+" 09:00 Sun" {
					t.Fatalf("the case is wrong: %s is %s in %s", c.due, local, c.zone)
				}
				// Made the day before: last Sunday's digest is not owed.
				made := due.Add(-24 * time.Hour)
				subject := "Sunday update: " + c.name
				sc := store.Schedule{Region: c.region, Weekday: int(time.Sunday), LocalTime: "09:00", Timezone: c.zone,
					Subject: subject, Campaigns: store.Texts{"release-all-political-prisoners"}, Active: true,
					CreatedAt: made, FiresFrom: made}
				if err := e.db.CreateSchedule(ctx, &sc, nil); err != nil {
					t.Fatal(err)
				}
				// The other cases' schedules must not fire at this case's instants.
				t.Cleanup(func() { _ = e.db.DeleteSchedule(ctx, sc.ID, nil) })

				for _, at := range c.quiet {
					sender.Run(ctx, utc(at))
					if ds := e.digestsOfSchedule(t, editor, sc.ID); len(ds) != 0 {
						t.Fatalf("at %s (%s local) the schedule made a digest for %v", at, utc(at).In(mustZone(t, c.zone)).Format("15:04"), ds[0]["period"])
					}
				}
				sender.Run(ctx, due)
				ds := e.digestsOfSchedule(t, editor, sc.ID)
				if len(ds) != 1 || ds[0]["period"] != c.sunday {
					t.Fatalf("at 09:00 local: %d digests (%v), want one for %s", len(ds), ds, c.sunday)
				}
				for _, at := range c.after {
					sender.Run(ctx, utc(at))
				}
				if ds := e.digestsOfSchedule(t, editor, sc.ID); len(ds) != 1 {
					t.Fatalf("after 09:00 local: %d digests, want still 1", len(ds))
				}

				id := ds[0]["id"].(string)
				d := e.waitDigest(t, id)
				n := len(officials[c.region])
				if counts := d["counts"].(map[string]any); counts["recipients"] != float64(n) || counts["sent"] != float64(n) {
					t.Fatalf("counts = %v, want %d sent", counts, n)
				}
				for region, emails := range officials {
					for _, rcpt := range emails {
						got := 0
						for _, m := range e.smtp.To(rcpt) {
							if m.Header.Get("Subject") == subject {
								got++
								if !strings.HasPrefix(m.Header.Get("Message-Id"), "<digest-"+id+"-") {
									t.Fatalf("Message-ID %q", m.Header.Get("Message-Id"))
								}
							}
						}
						want := 0
						if region == c.region {
							want = 1
						}
						if got != want {
							t.Fatalf("%s (%s) got %d copies of the %s digest, want %d", rcpt, region, got, c.region, want)
						}
					}
				}
			})
		}
	})
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
