package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/digest"
	"github.com/bnp/undersigned/server/internal/store"
)

// scheduleDigests counts the digests a schedule made.
func (e *env) scheduleDigests(t *testing.T, scheduleID string) int {
	t.Helper()
	n := 0
	for _, it := range e.get("/api/v1/admin/digests", e.token("editor")).wantStatus(t, 200).JSON(t)["items"].([]any) {
		if it.(map[string]any)["schedule_id"] == scheduleID {
			n++
		}
	}
	return n
}

// TestScheduleMovedAfterThisWeeksDigestWaitsForNextWeek: a Monday digest
// went out; moved to Wednesday, the schedule sends nothing more that week,
// and the next on the following Wednesday.
func TestScheduleMovedAfterThisWeeksDigestWaitsForNextWeek(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.officials(t, "eu", 2)
		editor := e.token("editor")
		id := e.send("POST", "/api/v1/admin/schedules", editor, scheduleBody()).wantStatus(t, 201).JSON(t)["id"].(string)
		sender := digest.Sender{Digests: digestService(e.cfg, e.db.Store, nil)}
		monday := nextMondayAt(time.Now(), 9, "Europe/Brussels")
		sender.Run(ctx, monday.Add(time.Minute))
		if n := e.scheduleDigests(t, id); n != 1 {
			t.Fatalf("%d digests on Monday, want 1", n)
		}
		e.send("PATCH", "/api/v1/admin/schedules/"+id, editor, map[string]any{"weekday": "wednesday"}).wantStatus(t, 200)
		wednesday := monday.AddDate(0, 0, 2)
		sc, err := e.db.ScheduleByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if next, err := digest.NextRun(ctx, e.db.Store, sc, monday.Add(time.Hour)); err != nil || !next.Equal(wednesday.AddDate(0, 0, 7)) {
			t.Fatalf("next run after Monday's digest = %v, %v; want %v", next, err, wednesday.AddDate(0, 0, 7))
		}
		sender.Run(ctx, wednesday.Add(time.Minute))
		sender.Run(ctx, wednesday.Add(26*time.Hour))
		if n := e.scheduleDigests(t, id); n != 1 {
			t.Fatalf("%d digests in the week it was moved, want 1", n)
		}
		if n := e.count("mail_messages"); n != 2 {
			t.Fatalf("%d deliveries, want one per official (2)", n)
		}
		sender.Run(ctx, wednesday.AddDate(0, 0, 7).Add(time.Minute))
		if n := e.scheduleDigests(t, id); n != 2 {
			t.Fatalf("%d digests a week later, want 2", n)
		}
	})
}

// TestScheduleDoesNotCatchUpWhenReactivatedOrMoved: a schedule that has
// been due for weeks catches up on its last period (an instance was down)
// while that is nearer than the next;
// one switched off and on again, or moved to another day, does not: it
// sends at its next due moment.
func TestScheduleDoesNotCatchUpWhenReactivatedOrMoved(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		editor := e.token("editor")
		weeksAgo := time.Now().UTC().AddDate(0, 0, -21).Truncate(time.Millisecond)
		made := func() string {
			t.Helper()
			sc := store.Schedule{Region: "eu", Weekday: int(time.Monday), LocalTime: "09:00", Timezone: "Europe/Brussels",
				Subject: "Monday update", Campaigns: store.Texts{"release-all-political-prisoners"}, Active: true,
				CreatedAt: weeksAgo, FiresFrom: weeksAgo}
			if err := e.db.CreateSchedule(ctx, &sc, nil); err != nil {
				t.Fatal(err)
			}
			return sc.ID
		}
		kept, paused, moved := made(), made(), made()
		e.send("PATCH", "/api/v1/admin/schedules/"+paused, editor, map[string]any{"active": false}).wantStatus(t, 200)
		sc := e.send("PATCH", "/api/v1/admin/schedules/"+paused, editor, map[string]any{"active": true}).wantStatus(t, 200).JSON(t)
		e.send("PATCH", "/api/v1/admin/schedules/"+moved, editor, map[string]any{"weekday": "tuesday", "time": "08:00"}).wantStatus(t, 200)

		now := time.Now()
		sender := digest.Sender{Digests: digestService(e.cfg, e.db.Store, nil)}
		// An hour after the last Monday 09:00: a missed digest still nearer
		// its own time than the next one's goes out late.
		lastDue, _, err := digest.LastFire(store.Schedule{Weekday: int(time.Monday), LocalTime: "09:00", Timezone: "Europe/Brussels"}, now)
		if err != nil {
			t.Fatal(err)
		}
		sender.Run(ctx, lastDue.Add(time.Hour))
		if n := e.scheduleDigests(t, kept); n != 1 {
			t.Fatalf("the schedule never paused: %d digests, want 1 (its last period)", n)
		}
		for name, id := range map[string]string{"reactivated": paused, "moved": moved} {
			if n := e.scheduleDigests(t, id); n != 0 {
				t.Fatalf("the %s schedule sent %d digests at once", name, n)
			}
		}
		next := nextMondayAt(now.Add(-7*24*time.Hour), 9, "Europe/Brussels")
		for !next.After(now) {
			next = next.AddDate(0, 0, 7)
		}
		if got, _ := time.Parse(time.RFC3339, sc["next_run"].(string)); !got.Equal(next) {
			t.Fatalf("next_run of the reactivated schedule = %v, want %v", sc["next_run"], next.UTC())
		}
		sender.Run(ctx, next.Add(time.Minute))
		if n := e.scheduleDigests(t, paused); n != 1 {
			t.Fatalf("the reactivated schedule at its next Monday: %d digests, want 1", n)
		}
	})
}

// TestScheduleRetimedLaterTheSameDayWaitsForNextWeek: Monday's 09:00
// digest went out, then the time was moved to 11:00 the same day: nothing
// more goes that day, and the next run says so.
func TestScheduleRetimedLaterTheSameDayWaitsForNextWeek(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.officials(t, "eu", 1)
		editor := e.token("editor")
		id := e.send("POST", "/api/v1/admin/schedules", editor, scheduleBody()).wantStatus(t, 201).JSON(t)["id"].(string)
		sender := digest.Sender{Digests: digestService(e.cfg, e.db.Store, nil)}
		monday := nextMondayAt(time.Now(), 9, "Europe/Brussels")
		sender.Run(ctx, monday.Add(time.Minute))
		e.send("PATCH", "/api/v1/admin/schedules/"+id, editor, map[string]any{"time": "11:00"}).wantStatus(t, 200)
		sc, err := e.db.ScheduleByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := monday.Add(2*time.Hour).AddDate(0, 0, 7)
		if next, err := digest.NextRun(ctx, e.db.Store, sc, monday.Add(time.Hour)); err != nil || !next.Equal(want) {
			t.Fatalf("next run = %v, %v; want %v", next, err, want)
		}
		sender.Run(ctx, monday.Add(2*time.Hour+time.Minute))
		if n := e.scheduleDigests(t, id); n != 1 {
			t.Fatalf("%d digests that Monday, want 1", n)
		}
	})
}
