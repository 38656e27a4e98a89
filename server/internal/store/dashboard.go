package store

import "context"

// StatusCounts are a campaign's signatures by what became of them.
type StatusCounts struct {
	Confirmed   int64 `json:"confirmed"`
	Pending     int64 `json:"pending"`
	Flagged     int64 `json:"flagged"`
	Invalidated int64 `json:"invalidated"`
}

// SignatureStatusCounts counts a campaign's signatures: confirmed counts
// only what is counted publicly; flagged are the shadow-flagged ones of
// any status.
func (s *Store) SignatureStatusCounts(ctx context.Context, campaignID string) (StatusCounts, error) {
	var c StatusCounts
	err := s.conn(ctx).Model(&Signature{}).Where("campaign_id = ?", campaignID).Select(
		"coalesce(sum(CASE WHEN status = 'confirmed' AND flagged = FALSE THEN 1 ELSE 0 END), 0) AS confirmed, " +
			"coalesce(sum(CASE WHEN status = 'pending' AND flagged = FALSE THEN 1 ELSE 0 END), 0) AS pending, " +
			"coalesce(sum(CASE WHEN flagged THEN 1 ELSE 0 END), 0) AS flagged, " +
			"coalesce(sum(CASE WHEN status = 'invalidated' THEN 1 ELSE 0 END), 0) AS invalidated").Scan(&c).Error
	return c, translate("signature status counts", err)
}

// RefCount is the counted signatures that came through one partner's
// share code.
type RefCount struct {
	Ref   string `json:"ref"`
	Count int64  `json:"count"`
}

// SignaturesByRef counts a campaign's counted signatures per partner share
// code (?ref=), most first: aggregates only, never who.
func (s *Store) SignaturesByRef(ctx context.Context, campaignID string) ([]RefCount, error) {
	var rows []RefCount
	err := counted(s.conn(ctx).Model(&Signature{})).Where("campaign_id = ? AND ref_code <> ''", campaignID).
		Select("ref_code AS ref, count(*) AS count").Group("ref_code").Order("count DESC, ref_code").Scan(&rows).Error
	return rows, translate("signatures by ref", err)
}
