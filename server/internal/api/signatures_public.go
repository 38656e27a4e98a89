package api

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/store"
)

// smallCell is the smallest country count shown on its own (privacy rule
// 7): fewer signers than this from one country could be singled out.
const smallCell = 5

// foldSmallCells folds every country with fewer than smallCell signatures
// into "other", which comes last.
func foldSmallCells(in []store.CountryCount) []store.CountryCount {
	out := make([]store.CountryCount, 0, len(in))
	var other int64
	for _, c := range in {
		if c.Count < smallCell || c.Country == "other" {
			other += c.Count
			continue
		}
		out = append(out, c)
	}
	if other > 0 {
		out = append(out, store.CountryCount{Country: "other", Count: other})
	}
	return out
}

func (s *server) campaignStats(c *fiber.Ctx) error {
	body, err := s.cache.get("stats:"+c.Params("slug"), func() (any, error) {
		camp, err := s.publicCampaign(c)
		if err != nil {
			return nil, err
		}
		countries, days, err := s.Store.SignatureStats(c.UserContext(), camp.ID)
		if err != nil {
			return nil, err
		}
		if days == nil {
			days = []store.DayCount{}
		}
		return json.Marshal(fiber.Map{"countries": foldSmallCells(countries), "days": days})
	})
	if err != nil {
		return err
	}
	return sendJSON(c, body.([]byte))
}

// signerView is a listed signer. signed_at is the UTC day only, and the
// cursor is sealed: a time to the millisecond (or a UUIDv7, which holds
// one) would tell when each listed person signed.
type signerView struct {
	DisplayName string `json:"display_name"`
	Country     string `json:"country"`
	SignedAt    string `json:"signed_at"`
}

const signersCursor = "signers-cursor"

const signersPage = 50

// listSigners lists the signers who chose to be listed, newest first;
// ?cursor= is the next_cursor of the page before.
func (s *server) listSigners(c *fiber.Ctx) error {
	camp, err := s.publicCampaign(c)
	if err != nil {
		return err
	}
	after := ""
	if cursor := c.Query("cursor"); cursor != "" {
		if after, err = s.Keys.Open(signersCursor, cursor); err != nil {
			return errValidation("cursor", "is not a cursor of this list")
		}
	}
	signers, err := s.Store.ListedSigners(c.UserContext(), camp.ID, after, signersPage)
	if errors.Is(err, store.ErrNotFound) {
		return errValidation("cursor", "is not a cursor of this list")
	} else if err != nil {
		return err
	}
	items := make([]signerView, len(signers))
	for i, sg := range signers {
		items[i] = signerView{DisplayName: displayName(sg.Name, sg.Visibility), Country: sg.Country, SignedAt: sg.ConfirmedAt.UTC().Format(time.DateOnly)}
	}
	next := ""
	if len(signers) == signersPage {
		if next, err = s.Keys.Seal(signersCursor, signers[len(signers)-1].ID); err != nil {
			return err
		}
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}

// powChallenge hands out a proof-of-work challenge for the sign and
// endorse forms.
func (s *server) powChallenge(c *fiber.Ctx) error {
	ch, err := s.Pow.Challenge()
	if err != nil {
		return err
	}
	return c.JSON(ch)
}
