package api

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/digest"
	"github.com/bnp/undersigned/server/internal/store"
)

var weekdays = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// scheduleInput is the body of POST (all but intro and active required)
// and PATCH (any subset) of a schedule.
type scheduleInput struct {
	Region    *string   `json:"region"`
	Campaigns *[]string `json:"campaigns"`
	Weekday   *string   `json:"weekday"`
	Time      *string   `json:"time"`
	Timezone  *string   `json:"timezone"`
	Subject   *string   `json:"subject"`
	Intro     *string   `json:"intro"`
	Active    *bool     `json:"active"`
}

type scheduleView struct {
	ID        string    `json:"id"`
	Region    string    `json:"region"`
	Campaigns []string  `json:"campaigns"`
	Weekday   string    `json:"weekday"`
	Time      string    `json:"time"`
	Timezone  string    `json:"timezone"`
	Subject   string    `json:"subject"`
	Intro     string    `json:"intro"`
	Active    bool      `json:"active"`
	NextRun   time.Time `json:"next_run"`
}

// viewSchedule shows a schedule with its next run, as the scheduler will
// keep it (a week later when this week's digest already went out).
func (s *server) viewSchedule(c *fiber.Ctx, sc store.Schedule) (scheduleView, error) {
	v := scheduleView{ID: sc.ID, Region: sc.Region, Campaigns: sc.Campaigns, Weekday: weekdays[sc.Weekday], Time: sc.LocalTime,
		Timezone: sc.Timezone, Subject: sc.Subject, Intro: sc.Intro, Active: sc.Active}
	next, err := digest.NextRun(c.UserContext(), s.Store, sc, time.Now())
	if err != nil {
		return v, err
	}
	v.NextRun = next.UTC()
	if v.Campaigns == nil {
		v.Campaigns = []string{}
	}
	return v, nil
}

// applySchedule validates in and writes it onto sc. Switching a schedule
// on again, or giving it another day, time or zone, counts its periods
// from now: it does not catch up on one it missed (see digest.Sender).
func (s *server) applySchedule(c *fiber.Ctx, sc *store.Schedule, in scheduleInput, creating bool) error {
	before := *sc
	f := fieldErrors{}
	if creating {
		for name, missing := range map[string]bool{"region": in.Region == nil, "campaigns": in.Campaigns == nil,
			"weekday": in.Weekday == nil, "time": in.Time == nil, "timezone": in.Timezone == nil, "subject": in.Subject == nil} {
			if missing {
				f.set(name, errRequired())
			}
		}
		if len(f) > 0 {
			return f.err()
		}
	}
	if in.Region != nil {
		sc.Region = *in.Region
	}
	if in.Subject != nil {
		sc.Subject = strings.TrimSpace(*in.Subject)
	}
	if in.Campaigns != nil {
		sc.Campaigns = *in.Campaigns
	}
	s.validDigest(c, f, sc.Region, sc.Subject, sc.Campaigns)
	if in.Weekday != nil {
		sc.Weekday = -1
		for i, w := range weekdays {
			if strings.EqualFold(*in.Weekday, w) {
				sc.Weekday = i
			}
		}
		if sc.Weekday < 0 {
			f.set("weekday", errOneOf("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
			sc.Weekday = 0
		}
	}
	if in.Time != nil {
		sc.LocalTime = *in.Time
		if _, _, err := digest.ParseLocalTime(sc.LocalTime); err != nil {
			f.set("time", fe(codeInvalidTime, "must be a local time such as 09:00"))
		}
	}
	if in.Timezone != nil {
		sc.Timezone = *in.Timezone
		if _, err := time.LoadLocation(sc.Timezone); err != nil || sc.Timezone == "" || sc.Timezone == "Local" {
			f.set("timezone", fe(codeInvalidTimezone, "must be an IANA time zone such as Europe/Brussels or America/New_York"))
		}
	}
	if in.Intro != nil {
		sc.Intro = *in.Intro
		if len(sc.Intro) > 20000 {
			f.set("intro", errTooLong(20000))
		}
	}
	if in.Active != nil {
		sc.Active = *in.Active
	}
	if sc.Weekday != before.Weekday || sc.LocalTime != before.LocalTime || sc.Timezone != before.Timezone ||
		(sc.Active && !before.Active) {
		sc.FiresFrom = time.Now().UTC().Truncate(time.Millisecond)
	}
	return f.err()
}

func (s *server) listSchedules(c *fiber.Ctx) error {
	scs, err := s.Store.ListSchedules(c.UserContext(), false)
	if err != nil {
		return err
	}
	items := make([]scheduleView, len(scs))
	for i, sc := range scs {
		if items[i], err = s.viewSchedule(c, sc); err != nil {
			return err
		}
	}
	return c.JSON(fiber.Map{"items": items})
}

func (s *server) createSchedule(c *fiber.Ctx) error {
	var in scheduleInput
	if err := decode(c, &in); err != nil {
		return err
	}
	sc := store.Schedule{Active: true}
	if err := s.applySchedule(c, &sc, in, true); err != nil {
		return err
	}
	if err := s.Store.CreateSchedule(c.UserContext(), &sc, auditBy(c, "schedule.create", "", 1)); err != nil {
		return err
	}
	v, err := s.viewSchedule(c, sc)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(v)
}

func (s *server) updateSchedule(c *fiber.Ctx) error {
	var in scheduleInput
	if err := decode(c, &in); err != nil {
		return err
	}
	sc, err := s.Store.ScheduleByID(c.UserContext(), c.Params("id"))
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("schedule")
	} else if err != nil {
		return err
	}
	if err := s.applySchedule(c, &sc, in, false); err != nil {
		return err
	}
	if err := s.Store.SaveSchedule(c.UserContext(), &sc, auditBy(c, "schedule.update", sc.ID, 1)); err != nil {
		return err
	}
	v, err := s.viewSchedule(c, sc)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (s *server) deleteSchedule(c *fiber.Ctx) error {
	err := s.Store.DeleteSchedule(c.UserContext(), c.Params("id"), auditBy(c, "schedule.delete", c.Params("id"), 1))
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("schedule")
	} else if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
