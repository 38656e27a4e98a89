package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/auth"
	"github.com/bnp/undersigned/server/internal/store"
)

const (
	refreshCookie   = "undersigned_refresh"
	refreshPath     = "/api/v1/auth"
	sessionLifetime = 7 * 24 * time.Hour
	// refreshGrace is how long a spent refresh token still gets its
	// successor: two console tabs, or two instances behind a load balancer,
	// refreshing with one cookie at once. Past it, reuse ends the session.
	refreshGrace = 10 * time.Second
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
	succeeded, err := s.admitLogin(c, email)
	if err != nil {
		return err
	}

	user, err := s.Store.UserByEmail(c.UserContext(), email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	// Unknown address, wrong password and disabled account answer alike,
	// after the same work (privacy rule 6).
	if !auth.CheckPassword(req.Password, user.PasswordHash) || user.Disabled {
		return errUnauthorized(reasonWrongCredentials, "the email or password is wrong")
	}
	succeeded()
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
// refresh cookie. A cookie spent more than refreshGrace before ends its
// session.
func (s *server) refresh(c *fiber.Ctx) error {
	old := c.Cookies(refreshCookie)
	if old == "" {
		return errUnauthorized(reasonSignInFirst, "sign in first")
	}
	token := s.nextRefreshToken(old)
	sess, user, err := s.Store.RotateRefreshToken(c.UserContext(), auth.HashToken(old), auth.HashToken(token), refreshGrace)
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrTokenReused):
		s.clearRefreshCookie(c)
		return errUnauthorized(reasonSessionEnded, "your session has ended; sign in again")
	case err != nil:
		return err
	}
	return s.issue(c, user, sess, token)
}

// nextRefreshToken is the successor of a refresh token: derived from it
// with a server key, so that every request spending one token at once is
// given the same new one, while only the server can tell what it is.
func (s *server) nextRefreshToken(old string) string {
	m := hmac.New(sha256.New, s.Keys.Derive("refresh-rotation"))
	m.Write([]byte(old))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// logout ends the session of the refresh cookie and the session of the
// bearer token, whichever it is given; it always succeeds, so that a client
// can always leave cleanly. Without the cookie (another browser profile, a
// script) the access token must not outlive the logout.
func (s *server) logout(c *fiber.Ctx) error {
	if old := c.Cookies(refreshCookie); old != "" {
		if err := s.Store.RevokeSessionOfToken(c.UserContext(), auth.HashToken(old)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if bearer, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer "); ok && bearer != "" {
		if claims, err := s.Tokens.Verify(bearer); err == nil {
			if err := s.Store.RevokeSession(c.UserContext(), claims.SessionID); err != nil {
				return err
			}
		}
	}
	s.clearRefreshCookie(c)
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *server) me(c *fiber.Ctx) error {
	return c.JSON(viewUser(currentUser(c)))
}
