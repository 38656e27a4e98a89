package api

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/intake"
	"github.com/bnp/undersigned/server/internal/ratelimit"
	"github.com/bnp/undersigned/server/internal/store"
)

// Past this, a client gets 429: an office endorsing for a handful of
// organisations stays far below it, a script does not.
var endorsePerClient = ratelimit.Rule{Name: "endorse-ip", Max: 20, Window: 10 * time.Minute}

// endorse takes an organisation's endorsement and emails its contact a
// verification link. The answer is the same 202, after the same work,
// whether or not the organisation endorsed before (privacy rule 6).
func (s *server) endorse(c *fiber.Ctx) error {
	return takePublic[endorseForm, endorseInput](s, c, endorsePerClient, endorseForm.checkCalls,
		func(form endorseForm, camp store.Campaign, client string) error {
			return s.acceptEndorsement(c, form, camp, client, s.languageOf(c, form.Language, camp.Language))
		})
}

// acceptEndorsement takes a valid endorsement, its abuse checks passed: one
// sealed write into the intake, the same work whether or not the
// organisation and its contact endorsed before; the intake worker decides
// and emails, in lang, with a link to the address the request came to. The
// JSON API and the server-rendered form both endorse through it.
func (s *server) acceptEndorsement(c *fiber.Ctx, form endorseForm, camp store.Campaign, client, lang string) error {
	return s.Intake.SubmitEndorsement(c.UserContext(), camp.ID, intake.EndorseRequest{
		Organization: form.Organization, OrgType: form.OrgType, Country: form.Country,
		Website: form.Website, WebsiteHost: form.websiteHost, Statement: form.Statement,
		Calls: form.calls, Confidential: form.Confidential,
		ContactName: form.ContactName, ContactEmail: form.contactEmail,
		Language: lang, Campaign: campaignTitleIn(camp, lang), Client: client, Base: s.onionBase(c),
	})
}

// confirmEndorsement verifies the contact's address: the endorsement now
// awaits review, and reviewers are told.
func (s *server) confirmEndorsement(c *fiber.Ctx) error {
	hash, err := readToken(c)
	if err != nil {
		return err
	}
	err = s.verifyEndorsement(c, hash)
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Status: fiber.StatusNotFound, Code: "not_found", Message: "this verification link is not valid or has expired; submit the endorsement again to get a new one"}
	} else if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"status": store.EndorsementAwaitingReview})
}

// verifyEndorsement verifies the endorsement of a token hash and tells the
// reviewers; store.ErrNotFound for an unknown or expired token.
func (s *server) verifyEndorsement(c *fiber.Ctx, hash string) error {
	notice := func(e store.Endorsement, camp store.Campaign) store.Mail {
		return queued(mailers.EndorsementReview(mailers.EndorsementReviewParams{
			Campaign: camp.Title, Organization: e.Organization, Country: e.Country,
			Duplicate: e.DuplicateOf != nil, Link: s.link("/admin/endorsements"),
		}))
	}
	if _, err := s.Store.VerifyEndorsement(c.UserContext(), hash, notice); err != nil {
		return err
	}
	s.Mail.Wake()
	return nil
}

// publicEndorsementView is an organisation as the public sees it: never
// its contact person, never a confidential endorsement. Calls lists the
// calls it supports (every call when all_calls).
type publicEndorsementView struct {
	Name      string   `json:"name"`
	OrgType   string   `json:"org_type"`
	Country   string   `json:"country"`
	Website   string   `json:"website"`
	Statement string   `json:"statement"`
	AllCalls  bool     `json:"all_calls"`
	Calls     []string `json:"calls"`
}

// listEndorsements lists a campaign's approved, non-confidential
// endorsements in the order they were approved.
func (s *server) listEndorsements(c *fiber.Ctx) error {
	body, err := s.cache.get("endorsements:"+c.Params("slug"), func() (any, error) {
		camp, err := s.publicCampaign(c)
		if err != nil {
			return nil, err
		}
		es, err := s.Store.PublicEndorsements(c.UserContext(), camp.ID)
		if err != nil {
			return nil, err
		}
		items := make([]publicEndorsementView, len(es))
		for i, e := range es {
			items[i] = publicEndorsementView{Name: e.DisplayName, OrgType: e.OrgType, Country: e.Country,
				Website: e.Website, Statement: e.Statement, AllCalls: e.AllCalls, Calls: e.CallIDs}
		}
		return json.Marshal(fiber.Map{"items": items})
	})
	if err != nil {
		return err
	}
	return sendJSON(c, body.([]byte))
}

// addEndorsementCounts fills a public campaign view's endorsement count
// and each call's: approved, non-confidential endorsements only.
func (s *server) addEndorsementCounts(ctx context.Context, v *campaignView, campaignID string) error {
	n, err := s.Store.EndorsementCount(ctx, campaignID)
	if err != nil {
		return err
	}
	perCall, err := s.Store.CallEndorsementCounts(ctx, campaignID)
	if err != nil {
		return err
	}
	v.EndorsementCount = n
	for i := range v.Calls {
		v.Calls[i].EndorsementCount = perCall[v.Calls[i].ID]
	}
	return nil
}

// campaignTitleIn is the campaign's title in lang where a complete
// translation has it, else in its own language.
func campaignTitleIn(camp store.Campaign, lang string) string {
	title, _, _ := camp.InLanguage(lang)
	return title
}
