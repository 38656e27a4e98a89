package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// Schedule sends a digest to a region every week at a local time.
type Schedule struct {
	ID        string
	Region    string
	Weekday   int    // 0 Sunday .. 6 Saturday, as time.Weekday
	LocalTime string `gorm:"column:local_time"` // "09:00"
	Timezone  string // IANA, e.g. Europe/Brussels
	Subject   string
	Intro     string
	Campaigns Texts // slugs
	Active    bool
	// FiresFrom is when the schedule was made, last switched on again, or
	// given another day, time or time zone: no period due before it is
	// sent (set to now on create when zero).
	FiresFrom time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CreateSchedule stores a schedule.
func (s *Store) CreateSchedule(ctx context.Context, sc *Schedule, audit *AuditEntry) error {
	sc.ID = newID()
	if sc.FiresFrom.IsZero() {
		sc.FiresFrom = now()
	}
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(sc).Error; err != nil {
			return translate("create schedule", err)
		}
		return writeAudit(tx, audit, sc.ID)
	})
}

// ScheduleByID returns one schedule.
func (s *Store) ScheduleByID(ctx context.Context, id string) (Schedule, error) {
	var sc Schedule
	err := s.conn(ctx).Where("id = ?", id).Take(&sc).Error
	return sc, translate("schedule by id", err)
}

// ListSchedules lists every schedule, oldest first; activeOnly narrows it.
func (s *Store) ListSchedules(ctx context.Context, activeOnly bool) ([]Schedule, error) {
	q := s.conn(ctx).Order("created_at, id")
	if activeOnly {
		q = q.Where("active = ?", true)
	}
	var scs []Schedule
	return scs, translate("list schedules", q.Find(&scs).Error)
}

// SaveSchedule stores a changed schedule.
func (s *Store) SaveSchedule(ctx context.Context, sc *Schedule, audit *AuditEntry) error {
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Omit("created_at").Save(sc).Error; err != nil {
			return translate("save schedule", err)
		}
		return writeAudit(tx, audit, sc.ID)
	})
}

// DeleteSchedule deletes a schedule; its past digests stay.
func (s *Store) DeleteSchedule(ctx context.Context, id string, audit *AuditEntry) error {
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Where("id = ?", id).Delete(&Schedule{})
		if res.Error != nil {
			return translate("delete schedule", res.Error)
		}
		if res.RowsAffected == 0 {
			return translate("delete schedule", gorm.ErrRecordNotFound)
		}
		return writeAudit(tx, audit, id)
	})
}

// DigestOfPeriod returns the digest a schedule made for a period, creating
// it (as a draft, with the given fields) if there is none. The unique index
// on (schedule, period) makes one digest per period however many instances
// ask at once.
func (s *Store) DigestOfPeriod(ctx context.Context, d *Digest, campaignIDs []string) (Digest, error) {
	err := s.CreateDigest(ctx, d, campaignIDs, &AuditEntry{ActorEmail: "scheduler", Action: "digest.create", Detail: "period=" + *d.Period})
	if err != nil && !errors.Is(err, ErrConflict) {
		return Digest{}, err
	}
	var existing Digest
	err = s.conn(ctx).Where("schedule_id = ? AND period = ?", *d.ScheduleID, *d.Period).Take(&existing).Error
	if err != nil {
		return Digest{}, translate("digest of period", err)
	}
	return s.DigestByID(ctx, existing.ID)
}

// ScheduleDigestWentOut reports whether a digest of the schedule for a
// period from first to last (local dates, inclusive), other than the
// period except, started sending (cancelled since or not).
func (s *Store) ScheduleDigestWentOut(ctx context.Context, scheduleID, first, last, except string) (bool, error) {
	var n int64
	err := s.conn(ctx).Model(&Digest{}).
		Where("schedule_id = ? AND period >= ? AND period <= ? AND period <> ? AND sending_at IS NOT NULL", scheduleID, first, last, except).
		Count(&n).Error
	return n > 0, translate("schedule digest went out", err)
}
