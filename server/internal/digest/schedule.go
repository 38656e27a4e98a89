package digest

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/bnp/undersigned/server/internal/store"
)

// ParseLocalTime reads "HH:MM".
func ParseLocalTime(s string) (hour, minute int, err error) {
	h, m, ok := strings.Cut(s, ":")
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(h) != 2 || len(m) != 2 || hour > 23 || minute > 59 || hour < 0 || minute < 0 {
		return 0, 0, fmt.Errorf("digest: %q is not a time such as 09:00", s)
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
	fire := time.Date(day.Year(), day.Month(), day.Day(), hour, minute, 0, 0, loc)
	if fire.After(now) {
		day = day.AddDate(0, 0, -7)
		fire = time.Date(day.Year(), day.Month(), day.Day(), hour, minute, 0, 0, loc)
	}
	return fire, fire.Format("2006-01-02"), nil
}

// Sender runs schedules: it makes and sends each schedule's digest of each
// period, exactly once across instances (the database has one digest per
// schedule and period), and finishes a period an instance left half done.
type Sender struct {
	Store     *store.Store
	PublicURL string
	Domain    string
	Wake      func()
}

// Run checks every active schedule at now.
func (x Sender) Run(ctx context.Context, now time.Time) {
	schedules, err := x.Store.ListSchedules(ctx, true)
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
	if fire.Before(sc.CreatedAt) {
		return nil // not due since the schedule was made: nothing to catch up on
	}
	var ids []string
	for _, slug := range sc.Campaigns {
		camp, err := x.Store.CampaignBySlug(ctx, slug)
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
	d, err = x.Store.DigestOfPeriod(ctx, &d, ids)
	if err != nil {
		return err
	}
	if d.Status != store.DigestDraft {
		return nil
	}
	n, err := Start(ctx, x.Store, d, x.PublicURL, x.Domain,
		&store.AuditEntry{ActorEmail: "scheduler", Action: "digest.send", Detail: "schedule=" + sc.ID + " period=" + period}, now)
	if err != nil {
		return err
	}
	slog.Info("scheduled digest queued", "schedule", sc.ID, "period", period, "recipients", n)
	if x.Wake != nil {
		x.Wake()
	}
	return nil
}
