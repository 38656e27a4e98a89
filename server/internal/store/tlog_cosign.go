package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"
)

type logCosignature struct {
	CampaignID string
	Size       int64
	Witness    string
	Signature  string // the note signature line, "— name base64"
	CreatedAt  time.Time
}

func (logCosignature) TableName() string { return "log_cosignatures" }

// AddCosignature keeps a witness's cosignature of the checkpoint of one
// size (checked by the caller); a newer one from the same witness replaces
// the older.
func (s *Store) AddCosignature(ctx context.Context, campaignID string, size int64, witness, line string) error {
	row := logCosignature{CampaignID: campaignID, Size: size, Witness: witness, Signature: line, CreatedAt: now()}
	err := s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "campaign_id"}, {Name: "size"}, {Name: "witness"}},
		DoUpdates: clause.AssignmentColumns([]string{"signature", "created_at"}),
	}).Create(&row).Error
	return translate("add cosignature", err)
}

// Cosignatures returns the cosignature lines of a checkpoint, by witness
// name.
func (s *Store) Cosignatures(ctx context.Context, campaignID string, size int64) ([]string, error) {
	var lines []string
	err := s.conn(ctx).Model(&logCosignature{}).Where("campaign_id = ? AND size = ?", campaignID, size).
		Order("witness").Pluck("signature", &lines).Error
	return lines, translate("cosignatures", err)
}
