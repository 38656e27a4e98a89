package api

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/auth"
	"github.com/bnp/undersigned/server/internal/ratelimit"
	"github.com/bnp/undersigned/server/internal/store"
)

const (
	refreshCookie   = "undersigned_refresh"
	refreshPath     = "/api/v1/auth"
	sessionLifetime = 7 * 24 * time.Hour
)

// Login limits: per account, so that one address cannot be guessed at from
// many machines, and per client, so that one machine cannot try many.
var (
	loginPerAccount = ratelimit.Rule{Name: "login-account", Max: 10, Window: 15 * time.Minute}
	loginPerClient  = ratelimit.Rule{Name: "login-ip", Max: 30, Window: 15 * time.Minute}
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type userView struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

func viewUser(u store.User) userView {
	return userView{ID: u.ID, Email: u.Email, Role: string(u.Role), Disabled: u.Disabled, CreatedAt: u.CreatedAt}
}

type sessionView struct {
	AccessToken string   `json:"access_token"`
	TokenType   string   `json:"token_type"`
	ExpiresIn   int      `json:"expires_in"`
	User        userView `json:"user"`
}

// clientHash is the keyed, daily-salted hash of the client address: the
// only form in which an address is ever used (privacy rule 2).
func (s *server) clientHash(c *fiber.Ctx) string { return s.Keys.IPHash(c.IP(), time.Now()) }

func (s *server) login(c *fiber.Ctx) error {
	var req loginRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	fields := fieldErrors{}
	if !plainAddress(email) {
		fields.set("email", errEmail())
	}
	if req.Password == "" {
		fields.set("password", errRequired())
	}
	if err := fields.err(); err != nil {
		return err
	}
	if err := s.allow(c, loginPerClient, s.clientHash(c)); err != nil {
		return err
	}
	if err := s.allow(c, loginPerAccount, s.Keys.Hash("login", email)); err != nil {
		return err
	}

	user, err := s.Store.UserByEmail(c.UserContext(), email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	// Unknown address, wrong password and disabled account answer alike,
	// after the same work (privacy rule 6).
	if !auth.CheckPassword(req.Password, user.PasswordHash) || user.Disabled {
		return errUnauthorized("the email or password is wrong")
	}
	token, hash := auth.NewToken()
	sess, err := s.Store.CreateSession(c.UserContext(), user.ID, hash, sessionLifetime)
	if err != nil {
		return err
	}
	return s.issue(c, user, sess, token)
}

// issue answers with a new access token and sets the refresh cookie.
func (s *server) issue(c *fiber.Ctx, user store.User, sess store.Session, refreshToken string) error {
	access, exp, err := s.Tokens.Issue(user.ID, sess.ID, string(user.Role))
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{
		Name: refreshCookie, Value: refreshToken, Path: refreshPath, Expires: sess.ExpiresAt,
		HTTPOnly: true, Secure: s.secureCookies, SameSite: fiber.CookieSameSiteStrictMode,
	})
	return c.JSON(sessionView{AccessToken: access, TokenType: "Bearer", ExpiresIn: int(time.Until(exp).Seconds() + 0.5), User: viewUser(user)})
}

func (s *server) clearRefreshCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name: refreshCookie, Value: "", Path: refreshPath, Expires: time.Unix(0, 0), MaxAge: -1,
		HTTPOnly: true, Secure: s.secureCookies, SameSite: fiber.CookieSameSiteStrictMode,
	})
}

// refresh spends the refresh cookie for a new access token and a new
// refresh cookie. A cookie spent before ends its session.
func (s *server) refresh(c *fiber.Ctx) error {
	old := c.Cookies(refreshCookie)
	if old == "" {
		return errUnauthorized("sign in first")
	}
	token, hash := auth.NewToken()
	sess, user, err := s.Store.RotateRefreshToken(c.UserContext(), auth.HashToken(old), hash)
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrTokenReused):
		s.clearRefreshCookie(c)
		return errUnauthorized("your session has ended; sign in again")
	case err != nil:
		return err
	}
	return s.issue(c, user, sess, token)
}

// logout ends the session of the refresh cookie, if any; it always
// succeeds, so that a client can always leave cleanly.
func (s *server) logout(c *fiber.Ctx) error {
	if old := c.Cookies(refreshCookie); old != "" {
		if err := s.Store.RevokeSessionOfToken(c.UserContext(), auth.HashToken(old)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	s.clearRefreshCookie(c)
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *server) me(c *fiber.Ctx) error {
	return c.JSON(viewUser(currentUser(c)))
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
