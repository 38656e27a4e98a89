package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type ipSalt struct {
	Day       string `gorm:"primaryKey"`
	Salt      string
	CreatedAt time.Time
}

func (ipSalt) TableName() string { return "ip_salts" }

// IPSalt returns the random salt of the UTC day of at for client address
// hashes, creating it on first use; every instance gets the same one. The
// salts of earlier days are deleted in the same transaction, so that no
// stored hash can be matched again once its day is over. An instance whose
// clock still shows yesterday after another created today's salt gets
// today's: a deleted day never comes back.
func (s *Store) IPSalt(ctx context.Context, at time.Time) ([]byte, error) {
	day := at.UTC().Format(time.DateOnly)
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("store: ip salt: %w", err)
	}
	var row ipSalt
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var later int64
		if err := tx.Model(&ipSalt{}).Where("day >= ?", day).Count(&later).Error; err != nil {
			return translate("ip salt", err)
		}
		if later == 0 {
			err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&ipSalt{Day: day, Salt: hex.EncodeToString(b), CreatedAt: now()}).Error
			if err != nil {
				return translate("ip salt", err)
			}
		}
		if err := tx.Where("day >= ?", day).Order("day").Take(&row).Error; err != nil {
			return translate("ip salt", err)
		}
		var newest string
		if err := tx.Model(&ipSalt{}).Select("MAX(day)").Scan(&newest).Error; err != nil {
			return translate("ip salt", err)
		}
		return translate("ip salt", tx.Where("day < ?", newest).Delete(&ipSalt{}).Error)
	})
	if err != nil {
		return nil, err
	}
	salt, err := hex.DecodeString(row.Salt)
	if err != nil {
		return nil, fmt.Errorf("store: ip salt: %w", err)
	}
	return salt, nil
}

// DeleteStaleIPSalts deletes the salts of days before the UTC day of at:
// housekeeping, so that a quiet night destroys yesterday's salt too.
func (s *Store) DeleteStaleIPSalts(ctx context.Context, at time.Time) (int64, error) {
	res := s.conn(ctx).Where("day < ?", at.UTC().Format(time.DateOnly)).Delete(&ipSalt{})
	return res.RowsAffected, translate("delete stale ip salts", res.Error)
}
