package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/ratelimit"
	"github.com/bnp/undersigned/server/internal/store"
)

// publicInput is the body of a public JSON request that the intake takes
// (signing, endorsing); F is the valid request.
type publicInput[F any] interface {
	validate() (F, error)
	// proofOfWork is the body's solution to the proof of work.
	proofOfWork() string
}

func (in signInput) proofOfWork() string    { return in.Pow }
func (in endorseInput) proofOfWork() string { return in.Pow }

// takePublic runs a public JSON request through what signing and endorsing
// share, in order: refused at once past the intake's capacity (before any
// work, so that a surge is answered at once and the requests already taken
// are served); the body decoded and validated; the campaign open; check
// (the request against the campaign; nil: none); the proof of work; the
// client's limit (rule). accept then hands the request, with the client's
// hash, to the intake, and the answer is 202, the same whatever the
// address.
func takePublic[F any, I publicInput[F]](s *server, c *fiber.Ctx, rule ratelimit.Rule,
	check func(F, store.Campaign) error, accept func(form F, camp store.Campaign, client string) error) error {
	if s.Intake.Full() {
		return errBusy()
	}
	var in I
	if err := decode(c, &in); err != nil {
		return err
	}
	form, err := in.validate()
	if err != nil {
		return err
	}
	camp, err := s.openCampaign(c)
	if err != nil {
		return err
	}
	if check != nil {
		if err := check(form, camp); err != nil {
			return err
		}
	}
	if err := s.verifyPow(c, in.proofOfWork()); err != nil {
		return err
	}
	client := s.clientHash(c)
	if err := s.allow(c, rule, client); err != nil {
		return err
	}
	if err := accept(form, camp, client); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"status": "pending"})
}
