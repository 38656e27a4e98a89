package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type rateLimit struct {
	Key         string `gorm:"primaryKey"`
	WindowStart time.Time
	Hits        int
	ExpiresAt   time.Time
}

func (rateLimit) TableName() string { return "rate_limits" }

// Hit counts one hit on key and returns the hits in its window and when the
// window ends. A window begins with a key's first hit and lasts window; the
// first hit after it ended begins the next. (Windows aligned to the clock
// would begin anew for every client at once: a burst could straddle the
// boundary, and a count could be cut short at any moment.) One statement,
// so instances sharing the database never lose a hit.
func (s *Store) Hit(ctx context.Context, key string, window time.Duration) (int, time.Time, error) {
	t := now()
	row := rateLimit{Key: key, WindowStart: t, Hits: 1, ExpiresAt: t.Add(window)}
	const live = "rate_limits.expires_at > ?"
	err := s.conn(ctx).Clauses(
		clause.OnConflict{
			Columns: []clause.Column{{Name: "key"}},
			DoUpdates: clause.Set{
				{Column: clause.Column{Name: "hits"}, Value: clause.Expr{SQL: "CASE WHEN " + live + " THEN rate_limits.hits + 1 ELSE 1 END", Vars: []any{t}}},
				{Column: clause.Column{Name: "window_start"}, Value: clause.Expr{SQL: "CASE WHEN " + live + " THEN rate_limits.window_start ELSE ? END", Vars: []any{t, t}}},
				{Column: clause.Column{Name: "expires_at"}, Value: clause.Expr{SQL: "CASE WHEN " + live + " THEN rate_limits.expires_at ELSE ? END", Vars: []any{t, t.Add(window)}}},
			},
		},
		clause.Returning{Columns: []clause.Column{{Name: "hits"}, {Name: "expires_at"}}},
	).Create(&row).Error
	if err != nil {
		return 0, time.Time{}, translate("rate limit hit", err)
	}
	return row.Hits, row.ExpiresAt, nil
}

// Unhit takes back one hit on key in its current window, if it has any.
func (s *Store) Unhit(ctx context.Context, key string, _ time.Duration) error {
	err := s.conn(ctx).Model(&rateLimit{}).Where("key = ? AND expires_at > ? AND hits > 0", key, now()).
		Update("hits", gorm.Expr("hits - 1")).Error
	return translate("rate limit unhit", err)
}

// PurgeRateLimits deletes counters whose window has ended.
func (s *Store) PurgeRateLimits(ctx context.Context) (int64, error) {
	res := s.conn(ctx).Where("expires_at < ?", now()).Delete(&rateLimit{})
	return res.RowsAffected, translate("purge rate limits", res.Error)
}

// SpendOnce records key as used for ttl and reports whether this was its
// first use: a solved proof-of-work challenge is good for one request, on
// whichever instance it arrives. One INSERT that does nothing when the key
// is already there, so the answer does not depend on ttl (which shrinks on
// every call) nor on any window: a key stays spent until it expires, and an
// expired one may be spent again (its challenge has expired too).
func (s *Store) SpendOnce(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	t := now()
	row := rateLimit{Key: "once:" + key, WindowStart: t, Hits: 1, ExpiresAt: t.Add(ttl)}
	res := s.conn(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "key"}},
		DoUpdates: clause.Set{
			{Column: clause.Column{Name: "window_start"}, Value: t},
			{Column: clause.Column{Name: "expires_at"}, Value: t.Add(ttl)},
		},
		Where: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "rate_limits.expires_at < ?", Vars: []any{t}}}},
	}).Create(&row)
	if res.Error != nil {
		return false, translate("spend once", res.Error)
	}
	return res.RowsAffected == 1, nil
}
