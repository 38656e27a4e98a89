package api

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/auth"
	"github.com/bnp/undersigned/server/internal/intake"
	"github.com/bnp/undersigned/server/internal/ratelimit"
	"github.com/bnp/undersigned/server/internal/store"
)

var (
	resetPerClient  = ratelimit.Rule{Name: "reset-ip", Max: 10, Window: time.Hour}
	resetPerAccount = ratelimit.Rule{Name: "reset-account", Max: 3, Window: time.Hour}
	// Setting the new password: a person needs one or two tries.
	resetConfirmPerClient = ratelimit.Rule{Name: "reset-confirm-ip", Max: 10, Window: 15 * time.Minute}
)

// requestPasswordReset emails a single-use link to the account, if there
// is one: the answer is the same 202 either way (privacy rule 6).
func (s *server) requestPasswordReset(c *fiber.Ctx) error {
	var in struct {
		Email string `json:"email"`
		// Language is the page's language: the email is written in it.
		Language string `json:"language"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	email := strings.ToLower(strings.TrimSpace(in.Email))
	f := fieldErrors{}
	if !plainAddress(email) {
		f.set("email", errEmail())
	}
	checkLanguage(f, in.Language)
	if err := f.err(); err != nil {
		return err
	}
	if err := s.allow(c, resetPerClient, s.clientHash(c)); err != nil {
		return err
	}
	// Past the per-account limit the answer stays 202 and nothing is sent:
	// a 429 here would tell that the address has an account.
	ok, _, err := s.Limiter.Allow(c.UserContext(), resetPerAccount, s.Keys.Hash("reset", email))
	if err != nil {
		return err
	}
	if ok {
		// The same sealed write into the intake whether or not the address
		// has an account; the intake worker looks it up and emails.
		if err := s.Intake.SubmitPasswordReset(c.UserContext(), intake.ResetRequest{Email: email, Language: s.languageOf(c, in.Language, "en")}); err != nil {
			return err
		}
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"status": "accepted"})
}

// confirmPasswordReset sets a new password with the emailed token and ends
// every session of the account.
func (s *server) confirmPasswordReset(c *fiber.Ctx) error {
	var in struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	f := fieldErrors{}
	if in.Token == "" {
		f.set("token", errRequired())
	}
	validPassword(f, in.Password)
	if err := f.err(); err != nil {
		return err
	}
	if err := s.allow(c, resetConfirmPerClient, s.clientHash(c)); err != nil {
		return err
	}
	// The token first: hashing costs 19 MiB, which nobody may spend
	// without a live link.
	tokenHash := auth.HashToken(in.Token)
	badToken := errValidation("token", "this link is not valid or has expired; ask for a new one")
	if err := s.Store.PasswordResetUsable(c.UserContext(), tokenHash); errors.Is(err, store.ErrNotFound) {
		return badToken
	} else if err != nil {
		return err
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return err
	}
	_, err = s.Store.ResetPassword(c.UserContext(), tokenHash, hash)
	if errors.Is(err, store.ErrNotFound) {
		return errField("token", fe(codeInvalidToken, "this link is not valid or has expired; ask for a new one"))
	} else if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"status": "password_changed"})
}
