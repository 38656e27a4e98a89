package api

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/disposable"
	"github.com/bnp/undersigned/server/internal/intake"
	"github.com/bnp/undersigned/server/internal/ratelimit"
	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/translog"
)

var (
	// Past this, a client gets 429: far above what a family behind one
	// address signs, low enough to stop a script.
	signPerClient = ratelimit.Rule{Name: "sign-ip", Max: 60, Window: 10 * time.Minute}
	// Past this, signatures from one address to one campaign are accepted
	// but never count (shadow-flagged), so that a bot learns nothing.
	signPerClientCampaign = ratelimit.Rule{Name: "sign-ip-campaign", Max: 10, Window: time.Hour}
)

// sign takes a signing request (see takePublic) for the intake.
func (s *server) sign(c *fiber.Ctx) error {
	return takePublic[signForm, signInput](s, c, signPerClient, nil,
		func(form signForm, camp store.Campaign, client string) error {
			return s.intakeSignature(c, form, camp, client, s.languageOf(c, form.Language, camp.Language), "")
		})
}

// intakeSignature accepts a valid signing request of an open campaign, once
// its abuse checks have passed: one durable write into the intake, the same
// work whatever the address (the intake worker decides later whether it is
// new, pending or already confirmed, and emails accordingly). The JSON API
// and the no-JS form both end here; on nil, answer that the request is
// pending. A full intake gives a 503 with Retry-After. lang is the emails'
// language; flag, when not empty, holds the signature for review (the
// form's own limits); the emails link to the address the request came to.
func (s *server) intakeSignature(c *fiber.Ctx, form signForm, camp store.Campaign, client, lang, flag string) error {
	title, _, _ := camp.InLanguage(lang)
	r := intake.SignRequest{
		Email: form.email, Name: form.Name, Country: form.Country, Comment: form.Comment,
		Visibility: form.Visibility, Updates: form.Updates, Ref: form.Ref,
		Language: lang, Campaign: title,
		Shown: displayName(form.Name, form.Visibility), Client: client, Base: s.onionBase(c),
	}
	switch {
	case disposable.Is(form.emailDomain):
		r.Flagged, r.FlagReason = true, "disposable email domain"
	default:
		// Past this, signatures from one client to one campaign are
		// accepted but never count (shadow-flagged), so a bot learns nothing.
		ok, _, err := s.Limiter.Allow(c.UserContext(), signPerClientCampaign, camp.ID+":"+client)
		if err != nil {
			return err
		}
		if !ok {
			r.Flagged, r.FlagReason = true, "over the per-address limit"
		}
	}
	if flag != "" && !r.Flagged {
		r.Flagged, r.FlagReason = true, flag
	}
	return s.Intake.SubmitSignature(c.UserContext(), camp.ID, r)
}

func (s *server) confirmSignature(c *fiber.Ctx) error {
	hash, err := readToken(c)
	if err != nil {
		return err
	}
	// The receipt is made here and shown once: the store keeps only its
	// commitment, for the leaf of a later withdrawal (docs/transparency.md).
	receipt, commitment := translog.NewReceipt()
	slug, fresh, err := s.Store.ConfirmSignature(c.UserContext(), hash, commitment)
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Status: fiber.StatusNotFound, Code: "not_found", Message: "this confirmation link is not valid or has expired; sign again to get a new one"}
	} else if err != nil {
		return err
	}
	if !fresh {
		return c.JSON(fiber.Map{"status": "confirmed", "campaign": slug})
	}
	return c.JSON(fiber.Map{"status": "confirmed", "campaign": slug, "receipt": receipt})
}

func (s *server) withdrawSignature(c *fiber.Ctx) error {
	hash, err := readToken(c)
	if err != nil {
		return err
	}
	slug, err := s.Store.WithdrawSignature(c.UserContext(), hash)
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Status: fiber.StatusNotFound, Code: "not_found", Message: "this withdrawal link is not valid, or the signature was already withdrawn"}
	} else if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"status": "withdrawn", "campaign": slug})
}
