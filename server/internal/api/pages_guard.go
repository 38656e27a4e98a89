package api

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/formtoken"
	"github.com/bnp/undersigned/server/internal/ratelimit"
	"github.com/bnp/undersigned/server/internal/web"
)

// The server-rendered forms have no proof of work (it needs JavaScript).
// What stands in for it, and why it is enough, is in docs/nojs.md.
var (
	// formMinAge is how long a sign or endorse form must have been on the
	// screen before it is posted: a person reads and types for longer; a
	// script that fetches the page and posts at once is refused.
	formMinAge = 3 * time.Second
	// Past this, a client's signatures through the form are accepted but
	// flagged for review: a Tor exit carries many honest signers, so the
	// form never refuses on this count alone.
	signFormPerClient = ratelimit.Rule{Name: "sign-form-ip", Max: 5, Window: time.Hour}
	// Past this, a client gets the "too many signatures" page: the ceiling
	// on confirmation emails one address can make the server send through
	// the form (docs/nojs.md), far above a busy Tor exit's honest share.
	signFormCeiling = ratelimit.Rule{Name: "sign-form-ceiling", Max: 120, Window: time.Hour}
	// Organisations endorse rarely; an office with many members stays below.
	endorseFormPerClient = ratelimit.Rule{Name: "endorse-form-ip", Max: 10, Window: time.Hour}
)

// errCrossSite refuses a form posted from another site.
var errCrossSite = errors.New("form posted from another site")

// sameSite refuses a cross-site form post. Browsers send Sec-Fetch-Site
// with every request (Tor Browser, Firefox, Chromium, Safari); it must say
// same-origin. Origin is checked when it names a site: our pages' strict
// Referrer-Policy (no-referrer) makes browsers send "Origin: null" with
// their own form posts, so null cannot be refused. A post with neither
// header still needs a form token, which only a page of ours carries.
func (s *server) sameSite(c *fiber.Ctx) error {
	switch c.Get("Sec-Fetch-Site") {
	case "", "same-origin":
	default:
		return errCrossSite
	}
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" || origin == "null" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil {
		return errCrossSite
	}
	for _, ours := range []*url.URL{s.Config.PublicURL, s.Config.OnionURL} {
		if ours != nil && strings.EqualFold(u.Scheme, ours.Scheme) && strings.EqualFold(u.Host, ours.Host) {
			return nil
		}
	}
	// The host the request came to (a proxy's TLS aside, the same origin).
	if strings.EqualFold(u.Host, string(c.Request().Host())) {
		return nil
	}
	return errCrossSite
}

// sameSitePost refuses a cross-site post of a plain form with a page
// saying so, before its handler does anything.
func (s *server) sameSitePost(c *fiber.Ctx) error {
	if err := s.sameSite(c); err != nil {
		return s.crossSitePage(c, s.pageLang(c))
	}
	return c.Next()
}

// crossSitePage answers a refused cross-site post: nothing was done.
func (s *server) crossSitePage(c *fiber.Ctx, t *web.T) error {
	p := s.page(c, t, "message", t.S("nojs.crossSite.title"))
	p.Body = web.MessageBody{Title: t.S("nojs.crossSite.title"), Text: t.S("nojs.crossSite.text"), Back: "/", BackText: t.S("token.home")}
	return s.render(c, fiber.StatusForbidden, "message", p)
}

// formTokenMessage checks a posted form's token and returns the message
// key to show when it does not pass ("" when it does).
func (s *server) formTokenMessage(ctx context.Context, token, purpose string, minAge time.Duration) (string, error) {
	_, err := s.Forms.Check(ctx, token, purpose, minAge)
	switch {
	case err == nil:
		return "", nil
	case errors.Is(err, formtoken.ErrTooYoung):
		return "nojs.error.tooSoon", nil
	case errors.Is(err, formtoken.ErrExpired):
		return "nojs.error.expired", nil
	case errors.Is(err, formtoken.ErrInvalid), errors.Is(err, formtoken.ErrReplayed):
		return "nojs.error.token", nil
	}
	return "", err
}

// overLimit counts a hit of rule for key and reports whether it is past
// the limit, with the wait until it is not.
func (s *server) overLimit(ctx context.Context, rule ratelimit.Rule, key string) (bool, time.Duration, error) {
	ok, wait, err := s.Limiter.Allow(ctx, rule, key)
	return !ok, wait, err
}

type ratelimitRule = ratelimit.Rule

// timeNow is the clock of the pages' checks.
var timeNow = time.Now

func retryAfterSeconds(wait time.Duration) string {
	return strconv.Itoa(int((wait + time.Second - 1) / time.Second))
}

// minutesCeil is a wait in whole minutes, at least one (as the SPA's retryMinutes).
func minutesCeil(wait time.Duration) int64 {
	m := int64((wait + time.Minute - 1) / time.Minute)
	if m < 1 {
		m = 1
	}
	return m
}

// formBodies admits the server-rendered forms' posts: URL-encoded, at most
// the JSON limit.
func formBodies() fiber.Handler {
	return func(c *fiber.Ctx) error {
		ct := strings.ToLower(strings.TrimSpace(strings.Split(c.Get(fiber.HeaderContentType), ";")[0]))
		if ct != fiber.MIMEApplicationForm {
			return &Error{Status: fiber.StatusUnsupportedMediaType, Code: "unsupported_media_type", Message: "send the form as application/x-www-form-urlencoded"}
		}
		if len(c.Request().Body()) > jsonBodyLimit {
			return errTooLarge()
		}
		return c.Next()
	}
}

// gateRefusal is why formGate turned a form away: the status to render the
// form again with, the form token's message key (422), or how long the
// client must wait (429, with Retry-After already set).
type gateRefusal struct {
	status  int
	message string
	wait    time.Duration
}

// formGate runs what every plain form passes once its fields are valid:
// the form token (signed for purpose, old enough, not spent) and the
// client's limits, in order. It returns the client's hash for the intake.
func (s *server) formGate(c *fiber.Ctx, purpose string, rules ...ratelimitRule) (string, *gateRefusal, error) {
	msg, err := s.formTokenMessage(c.UserContext(), c.FormValue("form_token"), purpose, formMinAge)
	if err != nil {
		return "", nil, err
	}
	if msg != "" {
		return "", &gateRefusal{status: fiber.StatusUnprocessableEntity, message: msg}, nil
	}
	client := s.clientHash(c)
	for _, rule := range rules {
		over, wait, err := s.overLimit(c.UserContext(), rule, client)
		if err != nil {
			return "", nil, err
		}
		if over {
			c.Set(fiber.HeaderRetryAfter, retryAfterSeconds(wait))
			return "", &gateRefusal{status: fiber.StatusTooManyRequests, wait: wait}, nil
		}
	}
	return client, nil, nil
}
