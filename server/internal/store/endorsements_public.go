package store

import (
	"context"

	"gorm.io/gorm"
)

// shownPublicly narrows a query on endorsements to what the public sees and
// counts: approved and not confidential.
func shownPublicly(db *gorm.DB, prefix string) *gorm.DB {
	return db.Where(prefix+"status = ? AND "+prefix+"confidential = ?", EndorsementApproved, false)
}

// PublicEndorsements returns a campaign's approved, non-confidential
// endorsements in the order they were approved, with the calls each
// supports.
func (s *Store) PublicEndorsements(ctx context.Context, campaignID string) ([]Endorsement, error) {
	var es []Endorsement
	err := shownPublicly(s.conn(ctx), "").Where("campaign_id = ?", campaignID).Order("reviewed_at, id").Find(&es).Error
	if err != nil {
		return nil, translate("public endorsements", err)
	}
	return es, s.loadEndorsementCalls(ctx, es)
}

// loadEndorsementCalls fills CallIDs: the chosen calls, or every call of
// the campaign for those that support them all, in the campaign's order.
func (s *Store) loadEndorsementCalls(ctx context.Context, es []Endorsement) error {
	if len(es) == 0 {
		return nil
	}
	var ids, campaigns []string
	for _, e := range es {
		if e.AllCalls {
			campaigns = append(campaigns, e.CampaignID)
		} else {
			ids = append(ids, e.ID)
		}
	}
	chosen := map[string][]string{}
	for start := 0; start < len(ids); start += 500 {
		var rows []struct{ EndorsementID, CallID string }
		err := s.conn(ctx).Table("endorsement_calls ec").Select("ec.endorsement_id, ec.call_id").
			Joins("JOIN calls c ON c.id = ec.call_id").Where("ec.endorsement_id IN ?", ids[start:min(start+500, len(ids))]).
			Order("c.position").Scan(&rows).Error
		if err != nil {
			return translate("endorsement calls", err)
		}
		for _, r := range rows {
			chosen[r.EndorsementID] = append(chosen[r.EndorsementID], r.CallID)
		}
	}
	all := map[string][]string{}
	if len(campaigns) > 0 {
		var calls []Call
		err := s.conn(ctx).Select("id, campaign_id").Where("campaign_id IN ?", campaigns).Order("position").Find(&calls).Error
		if err != nil {
			return translate("endorsement calls", err)
		}
		for _, c := range calls {
			all[c.CampaignID] = append(all[c.CampaignID], c.ID)
		}
	}
	for i := range es {
		if es[i].AllCalls {
			es[i].CallIDs = all[es[i].CampaignID]
		} else {
			es[i].CallIDs = chosen[es[i].ID]
		}
		if es[i].CallIDs == nil {
			es[i].CallIDs = []string{}
		}
	}
	return nil
}

// EndorsementCounts returns the approved, non-confidential endorsements of
// every campaign by id.
func (s *Store) EndorsementCounts(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		CampaignID string
		N          int64
	}
	err := shownPublicly(s.conn(ctx).Model(&Endorsement{}), "").Select("campaign_id, count(*) AS n").Group("campaign_id").Scan(&rows).Error
	if err != nil {
		return nil, translate("endorsement counts", err)
	}
	counts := make(map[string]int64, len(rows))
	for _, r := range rows {
		counts[r.CampaignID] = r.N
	}
	return counts, nil
}

// EndorsementCount returns the approved, non-confidential endorsements of
// one campaign.
func (s *Store) EndorsementCount(ctx context.Context, campaignID string) (int64, error) {
	var n int64
	err := shownPublicly(s.conn(ctx).Model(&Endorsement{}), "").Where("campaign_id = ?", campaignID).Count(&n).Error
	return n, translate("endorsement count", err)
}

// CallEndorsementCounts returns, for every call of a campaign, how many
// approved, non-confidential endorsements support it: those of the whole
// statement count for every call.
func (s *Store) CallEndorsementCounts(ctx context.Context, campaignID string) (map[string]int64, error) {
	var whole int64
	err := shownPublicly(s.conn(ctx).Model(&Endorsement{}), "").Where("campaign_id = ? AND all_calls = ?", campaignID, true).Count(&whole).Error
	if err != nil {
		return nil, translate("call endorsement counts", err)
	}
	var rows []struct {
		CallID string
		N      int64
	}
	err = shownPublicly(s.conn(ctx).Table("endorsement_calls ec").Joins("JOIN endorsements e ON e.id = ec.endorsement_id"), "e.").
		Where("e.campaign_id = ? AND e.all_calls = ?", campaignID, false).
		Select("ec.call_id, count(*) AS n").Group("ec.call_id").Scan(&rows).Error
	if err != nil {
		return nil, translate("call endorsement counts", err)
	}
	var calls []string
	if err := s.conn(ctx).Model(&Call{}).Where("campaign_id = ?", campaignID).Pluck("id", &calls).Error; err != nil {
		return nil, translate("call endorsement counts", err)
	}
	counts := make(map[string]int64, len(calls))
	for _, id := range calls {
		counts[id] = whole
	}
	for _, r := range rows {
		counts[r.CallID] += r.N
	}
	return counts, nil
}
