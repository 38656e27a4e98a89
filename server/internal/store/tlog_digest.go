package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// PreviousDigestContent returns the snapshot of the last digest sent to a
// region about a campaign before a time: its log checkpoint is what the
// next digest's numbers must be consistent with.
func (s *Store) PreviousDigestContent(ctx context.Context, region, campaignID string, before time.Time) (string, bool, error) {
	var d Digest
	err := s.conn(ctx).Model(&Digest{}).
		Joins("JOIN digest_campaigns dc ON dc.digest_id = digests.id AND dc.campaign_id = ?", campaignID).
		Where("digests.region = ? AND digests.status IN ? AND digests.sending_at < ? AND digests.content IS NOT NULL",
			region, []string{DigestSending, DigestSent}, before).
		Order("digests.sending_at DESC").Select("digests.content").Limit(1).Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", false, nil
	}
	if err != nil || d.Content == nil {
		return "", false, translate("previous digest content", err)
	}
	return *d.Content, true, nil
}
