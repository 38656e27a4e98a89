package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/digest"
	"github.com/bnp/undersigned/server/internal/store"
)

// TestAfterAnOutageOnlyTheLatestWeekGoesOut: a Tuesday 09:30 New York
// schedule whose server was down from Monday to the next Tuesday at 06:00
// does not send last week's digest on waking and this week's three hours
// later: it waits for this week's. A short outage still catches up at once.
// And a schedule at 02:30 on the Sunday the clocks jump fires at 03:00.
func TestAfterAnOutageOnlyTheLatestWeekGoesOut(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		editor := e.token("editor")
		ny := mustZone(t, "America/New_York")
		sender := digest.Sender{Digests: digestService(e.cfg, e.db.Store, nil)}
		made := time.Date(2027, 2, 1, 12, 0, 0, 0, ny) // a Monday
		sc := store.Schedule{Region: "us", Weekday: int(time.Tuesday), LocalTime: "09:30", Timezone: "America/New_York",
			Subject: "Weekly", Campaigns: store.Texts{"release-all-political-prisoners"}, Active: true, CreatedAt: made, FiresFrom: made}
		if err := e.db.CreateSchedule(ctx, &sc, nil); err != nil {
			t.Fatal(err)
		}
		// Down from Monday 8 February to Tuesday 16 February 06:00: the 9th was missed.
		sender.Run(ctx, time.Date(2027, 2, 16, 6, 0, 0, 0, ny))
		if ds := e.digestsOfSchedule(t, editor, sc.ID); len(ds) != 0 {
			t.Fatalf("on waking the schedule sent the missed week's digest (%v), hours before this week's", ds[0]["period"])
		}
		sender.Run(ctx, time.Date(2027, 2, 16, 9, 30, 0, 0, ny))
		if ds := e.digestsOfSchedule(t, editor, sc.ID); len(ds) != 1 || ds[0]["period"] != "2027-02-16" {
			t.Fatalf("at 09:30 on the 16th: %v, want this week's digest only", ds)
		}
		// Down on the 23rd from 08:00 to 14:00: that week's goes out on waking.
		sender.Run(ctx, time.Date(2027, 2, 23, 14, 0, 0, 0, ny))
		if ds := e.digestsOfSchedule(t, editor, sc.ID); len(ds) != 2 || ds[0]["period"] != "2027-02-23" {
			t.Fatalf("after a short outage: %v, want the 23rd's sent late", ds)
		}
	})
}
