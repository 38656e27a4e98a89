package api_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/digest"
)

func scheduleBody() map[string]any {
	return map[string]any{"region": "eu", "campaigns": []string{"release-all-political-prisoners"}, "weekday": "monday",
		"time": "09:00", "timezone": "Europe/Brussels", "subject": "Monday update", "intro": "Good morning."}
}

func TestSchedulesCRUDAndBadInputs(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		editor := e.token("editor")
		sc := e.send("POST", "/api/v1/admin/schedules", editor, scheduleBody()).wantStatus(t, 201).JSON(t)
		if sc["weekday"] != "monday" || sc["active"] != true || sc["next_run"] == nil {
			t.Fatalf("created = %v", sc)
		}
		id := sc["id"].(string)
		up := e.send("PATCH", "/api/v1/admin/schedules/"+id, editor, map[string]any{"timezone": "America/New_York", "region": "us", "active": false}).wantStatus(t, 200).JSON(t)
		if up["timezone"] != "America/New_York" || up["active"] != false || up["subject"] != "Monday update" {
			t.Fatalf("patched = %v", up)
		}
		if n := len(e.get("/api/v1/admin/schedules", editor).wantStatus(t, 200).JSON(t)["items"].([]any)); n != 1 {
			t.Fatalf("%d schedules listed", n)
		}
		cases := []struct{ field, value string }{
			{"weekday", "someday"}, {"time", "9am"}, {"time", "+9:+5"}, {"time", "-0:00"}, {"time", " 9:00"}, {"time", "24:00"}, {"timezone", "Mars/Olympus"}, {"region", "asia"}, {"subject", ""},
		}
		for _, c := range cases {
			b := scheduleBody()
			b[c.field] = c.value
			if fields := e.send("POST", "/api/v1/admin/schedules", editor, b).wantError(t, 422, "validation_failed"); fields[c.field] == nil {
				t.Errorf("%s=%q: fields %v", c.field, c.value, fields)
			}
		}
		b := scheduleBody()
		delete(b, "timezone")
		e.send("POST", "/api/v1/admin/schedules", editor, b).wantError(t, 422, "validation_failed")
		if n := e.count("schedules"); n != 1 {
			t.Fatalf("bad inputs wrote schedules: %d", n)
		}
		e.send("DELETE", "/api/v1/admin/schedules/"+id, editor, nil).wantStatus(t, 204)
		e.send("DELETE", "/api/v1/admin/schedules/"+id, editor, nil).wantError(t, 404, "not_found")
	})
}

// TestScheduleSendsOnePerPeriod runs the scheduler of two instances at
// once, twice, at the same moment: one digest for the period, one email for
// each official; and again a week later, across the change to winter time.
func TestScheduleSendsOnePerPeriod(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		eu := e.officials(t, "eu", 3)
		e.send("POST", "/api/v1/admin/schedules", e.token("editor"), scheduleBody()).wantStatus(t, 201)
		sender := digest.Sender{Digests: digestService(e.cfg, e.db.Store, nil), Wake: e.queue.Wake}
		// The schedule was created now; pretend the clock is the next Monday.
		next := nextMondayAt(time.Now(), 9, "Europe/Brussels")
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); sender.Run(context.Background(), next.Add(time.Minute)) }()
		}
		wg.Wait()
		if n := e.count("digests"); n != 1 {
			t.Fatalf("%d digests for one period", n)
		}
		waitAll(t, e, eu, 1)
		sender.Run(context.Background(), next.Add(7*24*time.Hour+time.Hour))
		if n := e.count("digests"); n != 2 {
			t.Fatalf("%d digests after the second week, want 2", n)
		}
		waitAll(t, e, eu, 2)
	})
}

func nextMondayAt(from time.Time, hour int, zone string) time.Time {
	loc, _ := time.LoadLocation(zone)
	d := from.In(loc).AddDate(0, 0, 1)
	for d.Weekday() != time.Monday {
		d = d.AddDate(0, 0, 1)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, loc)
}

func waitAll(t *testing.T, e *mailEnv, rcpts []string, want int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for _, r := range rcpts {
		for len(e.smtp.To(r)) < want && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := len(e.smtp.To(r)); n != want {
			t.Fatalf("%s got %d digests, want %d", r, n, want)
		}
	}
}
