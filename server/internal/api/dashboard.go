package api

import (
	"github.com/gofiber/fiber/v2"
)

// dashboard gives staff a campaign's numbers: signatures by status, by day
// and by country (unfolded: staff see small cells, the public does not),
// per partner share code, and endorsements by status. Aggregates only.
func (s *server) dashboard(c *fiber.Ctx) error {
	camp, err := s.adminCampaign(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	status, err := s.Store.SignatureStatusCounts(ctx, camp.ID)
	if err != nil {
		return err
	}
	countries, days, err := s.Store.SignatureStats(ctx, camp.ID)
	if err != nil {
		return err
	}
	refs, err := s.Store.SignaturesByRef(ctx, camp.ID)
	if err != nil {
		return err
	}
	endorsements, err := s.Store.EndorsementStatusCounts(ctx, camp.ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{
		"campaign": camp.Slug, "goal": camp.Goal, "signatures": status,
		"by_day": nonNil(days), "by_country": nonNil(countries), "by_ref": nonNil(refs),
		"endorsements": endorsements,
	})
}
