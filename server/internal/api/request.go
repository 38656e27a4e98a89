package api

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/auth"
	"github.com/bnp/undersigned/server/internal/pow"
	"github.com/bnp/undersigned/server/internal/ratelimit"
	"github.com/bnp/undersigned/server/internal/store"
)

// The request helpers that several handler files share: the campaign a
// route names, the client's abuse checks, the language of an answer, the
// token in a body, links and queued mail, raw JSON answers. One place
// beside decode.go, so that no endpoint file is another's library.

// openCampaign finds the campaign of the route if it takes signatures now.
func (s *server) openCampaign(c *fiber.Ctx) (store.Campaign, error) {
	camp, err := s.publicCampaign(c)
	if err != nil {
		return camp, err
	}
	now := time.Now()
	switch {
	case camp.Status == store.StatusClosed || (camp.ClosesAt != nil && now.After(*camp.ClosesAt)):
		return camp, errConflict(reasonCampaignClosed, "this campaign is closed")
	case camp.OpensAt != nil && now.Before(*camp.OpensAt):
		return camp, errConflict(reasonCampaignNotOpen, "this campaign is not open yet")
	}
	return camp, nil
}

// adminCampaign finds the campaign of a staff route, in any status.
func (s *server) adminCampaign(c *fiber.Ctx) (store.Campaign, error) {
	camp, err := s.Store.CampaignBySlug(c.UserContext(), c.Params("slug"))
	if errors.Is(err, store.ErrNotFound) {
		return camp, errNotFound("campaign")
	}
	return camp, err
}

// allow applies a rate-limit rule, answering 429 with Retry-After past it.
func (s *server) allow(c *fiber.Ctx, rule ratelimit.Rule, key string) error {
	ok, wait, err := s.Limiter.Allow(c.UserContext(), rule, key)
	if err != nil {
		return err
	}
	if !ok {
		return errRateLimited(wait)
	}
	return nil
}

func (s *server) verifyPow(c *fiber.Ctx, payload string) error {
	err := s.Pow.Verify(c.UserContext(), payload)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pow.ErrMissing), errors.Is(err, pow.ErrInvalid), errors.Is(err, pow.ErrExpired), errors.Is(err, pow.ErrReplayed):
		return errField("pow", fe(codePowFailed, "the anti-bot check did not pass; try again"))
	}
	return err
}

// languageOf is the reader's language for an email: the language of the
// page the form was sent from (chosen, valid), else the first language of
// Accept-Language that mail is written in, else the campaign's.
func (s *server) languageOf(c *fiber.Ctx, chosen, fallback string) string {
	if chosen != "" {
		return chosen
	}
	for _, part := range strings.Split(c.Get(fiber.HeaderAcceptLanguage), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		for _, l := range mailers.Languages {
			if base == l {
				return l
			}
		}
	}
	return fallback
}

type tokenInput struct {
	Token string `json:"token"`
}

func readToken(c *fiber.Ctx) (string, error) {
	var in tokenInput
	if err := decode(c, &in); err != nil {
		return "", err
	}
	if in.Token == "" || len(in.Token) > 200 {
		return "", errField("token", errRequired())
	}
	return auth.HashToken(in.Token), nil
}

// link is an absolute link for an email.
func (s *server) link(path string) string { return s.Config.PublicURL.String() + path }

// queued turns a mailer's description into a queue row to fill in.
func queued(o mailers.Outgoing) store.Mail {
	return store.Mail{Kind: o.Kind, Language: o.Language, Params: o.Params}
}

// sendJSON sends an already encoded JSON body.
func sendJSON(c *fiber.Ctx, body []byte) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(body)
}
