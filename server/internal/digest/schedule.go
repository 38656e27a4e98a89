package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bnp/undersigned/server/internal/store"
)

// ParseLocalTime reads "HH:MM": exactly two digits, a colon, two digits
// (no sign, no space), from 00:00 to 23:59.
func ParseLocalTime(s string) (hour, minute int, err error) {
	bad := fmt.Errorf("digest: %q is not a time such as 09:00", s)
	if len(s) != 5 || s[2] != ':' {
		return 0, 0, bad
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, 0, bad
		}
	}
	hour = int(s[0]-'0')*10 + int(s[1]-'0')
	minute = int(s[3]-'0')*10 + int(s[4]-'0')
	if hour > 23 || minute > 59 {
		return 0, 0, bad
	}
	return hour, minute, nil
}

// LastFire is the latest moment at or before now when the schedule was due,
// and its period: the local date of that moment. Local time is computed in
// the schedule's zone on the day itself, so a Monday 09:00 stays 09:00 on
// both sides of a daylight-saving change.
func LastFire(sc store.Schedule, now time.Time) (time.Time, string, error) {
	loc, err := time.LoadLocation(sc.Timezone)
	if err != nil {
		return time.Time{}, "", fmt.Errorf("digest: time zone %q: %w", sc.Timezone, err)
	}
	hour, minute, err := ParseLocalTime(sc.LocalTime)
	if err != nil {
		return time.Time{}, "", err
	}
	local := now.In(loc)
	back := (int(local.Weekday()) - sc.Weekday + 7) % 7
	day := local.AddDate(0, 0, -back)
	fire := LocalInstant(day.Year(), day.Month(), day.Day(), hour, minute, loc)
	if fire.After(now) {
		day = day.AddDate(0, 0, -7)
		fire = LocalInstant(day.Year(), day.Month(), day.Day(), hour, minute, loc)
	}
	return fire, fire.Format("2006-01-02"), nil
}

// LocalInstant is the instant a wall-clock time names in loc. A time that
// does not exist, skipped by a spring change of clocks (02:30 on the
// morning New York or Brussels moves from 02:00 to 03:00), is the first
// valid instant after the gap: the moment the clocks jump, 03:00 local.
// Go's time.Date would pick by the sign of the zone's offset, an hour early
// in New York and an hour late in Brussels. A time that happens twice (an
// autumn change) is its first occurrence.
func LocalInstant(year int, month time.Month, day, hour, minute int, loc *time.Location) time.Time {
	t := time.Date(year, month, day, hour, minute, 0, 0, loc)
	if l := t.In(loc); l.Hour() == hour && l.Minute() == minute {
		return t
	}
	// In a gap: the wall time, read with each offset around it, brackets
	// the jump; the first minute whose local time is past the wall time is it.
	wall := time.Date(year, month, day, hour, minute, 0, 0, time.UTC)
	_, before := t.Add(-3 * time.Hour).Zone()
	_, after := t.Add(3 * time.Hour).Zone()
	from, to := wall.Add(-time.Duration(after)*time.Second), wall.Add(-time.Duration(before)*time.Second)
	for at := from; !at.After(to); at = at.Add(time.Minute) {
		l := at.In(loc)
		if !time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), 0, 0, time.UTC).Before(wall) {
			return at
		}
	}
	return t
}

// stale is how late a missed digest may still go out: after an outage, a
// period whose moment passed more than half a week ago is left for the
// next one, so that officials never get two digests within hours.
const stale = 84 * time.Hour

// mayFire reports whether the schedule may send its period due at fire.
// Not if that was before the schedule was made, switched on again or
// re-timed: a paused or moved schedule does not catch up on what it
// missed. Nor if another digest of the schedule went out in the same
// week (Monday to Sunday, local time): moving the weekday after this
// week's digest waits for next week. The same period twice is kept out by
// the database (one digest per schedule and period).
func mayFire(ctx context.Context, st *store.Store, sc store.Schedule, fire time.Time, period string) (bool, error) {
	if fire.Before(sc.FiresFrom) || fire.Before(sc.CreatedAt) {
		return false, nil
	}
	sinceMonday := (int(fire.Weekday()) + 6) % 7
	first := fire.AddDate(0, 0, -sinceMonday).Format("2006-01-02")
	last := fire.AddDate(0, 0, 6-sinceMonday).Format("2006-01-02")
	went, err := st.ScheduleDigestWentOut(ctx, sc.ID, first, last, period)
	return !went, err
}

// NextRun is when the schedule will next send a digest after now: its
// next due moment, or the one a week later when that week's digest already
// went out.
func NextRun(ctx context.Context, st *store.Store, sc store.Schedule, now time.Time) (time.Time, error) {
	last, _, err := LastFire(sc, now)
	if err != nil {
		return time.Time{}, err
	}
	hour, minute, _ := ParseLocalTime(sc.LocalTime)
	var next time.Time
	for week := 1; week <= 2; week++ {
		// In the zone, on the day itself: 09:00 stays 09:00 across a change of summer time.
		next = LocalInstant(last.Year(), last.Month(), last.Day()+7*week, hour, minute, last.Location())
		// No period excepted: a digest already sent for that very date (the
		// time moved later the same day) means the week is done.
		ok, err := mayFire(ctx, st, sc, next, "")
		if err != nil || ok {
			return next, err
		}
	}
	return next, nil
}

// Sender runs schedules: it makes and sends each schedule's digest of each
// period, exactly once across instances (the database has one digest per
// schedule and period), and finishes a period an instance left half done.
type Sender struct {
	Digests *Service
	// Wake, when set, is called once a digest is queued.
	Wake func()
}

// Run checks every active schedule at now.
func (x Sender) Run(ctx context.Context, now time.Time) {
	schedules, err := x.Digests.Store.ListSchedules(ctx, true)
	if err != nil {
		slog.Error("schedules", "err", err)
		return
	}
	for _, sc := range schedules {
		if err := x.runOne(ctx, sc, now); err != nil {
			slog.Error("schedule", "schedule", sc.ID, "err", err)
		}
	}
}

func (x Sender) runOne(ctx context.Context, sc store.Schedule, now time.Time) error {
	fire, period, err := LastFire(sc, now)
	if err != nil {
		return err
	}
	if now.Sub(fire) > stale {
		return nil // missed in an outage, and the next is nearer: only the latest goes out
	}
	if ok, err := mayFire(ctx, x.Digests.Store, sc, fire, period); err != nil || !ok {
		return err
	}
	var ids []string
	for _, slug := range sc.Campaigns {
		camp, err := x.Digests.Store.CampaignBySlug(ctx, slug)
		if err != nil {
			continue // a campaign deleted since: the others still go
		}
		ids = append(ids, camp.ID)
	}
	if len(ids) == 0 {
		return nil
	}
	scheduleID := sc.ID
	d := store.Digest{Region: sc.Region, Subject: sc.Subject, Intro: sc.Intro, ScheduleID: &scheduleID, Period: &period, CreatedBy: "scheduler"}
	d, err = x.Digests.Store.DigestOfPeriod(ctx, &d, ids)
	if err != nil {
		return err
	}
	if d.Status != store.DigestDraft {
		return nil
	}
	n, err := x.Digests.Start(ctx, d,
		&store.AuditEntry{ActorEmail: "scheduler", Action: "digest.send", Detail: "schedule=" + sc.ID + " period=" + period}, now)
	if errors.Is(err, store.ErrDigestStarted) {
		return nil // another instance started it at the same moment
	} else if err != nil {
		return err
	}
	slog.Info("scheduled digest queued", "schedule", sc.ID, "period", period, "recipients", n)
	if x.Wake != nil {
		x.Wake()
	}
	return nil
}
