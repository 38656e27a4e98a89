package api

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/auth"
	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/translog"
	"github.com/bnp/undersigned/server/internal/web"
)

// The pages behind the links in emails, server-rendered: each asks for a
// press of its button (mail scanners open links by themselves), which
// posts a plain form; the answer is a page.

// tokenKinds maps a route's kind to the dictionary prefix of its strings.
var tokenKinds = map[string]string{"confirm": "confirm", "withdraw": "withdraw", "unsubscribe": "unsubscribe", "endorse-confirm": "endorseConfirm"}

// tokenPage is the GET of /confirm/{token} and the like: the question.
func (s *server) tokenPage(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		t := s.pageLang(c)
		body := web.TokenBody{Kind: tokenKinds[kind], State: "ask", Action: c.Path(), Form: s.blankForm(kind)}
		return s.renderToken(c, t, kind, body, fiber.StatusOK)
	}
}

func (s *server) renderToken(c *fiber.Ctx, t *web.T, kind string, body web.TokenBody, status int) error {
	key := body.Kind + ".title"
	if body.State != "ask" {
		key = body.Kind + "." + body.State + ".title"
	}
	p := s.page(c, t, kind, t.S(key))
	p.Body = body
	return s.render(c, status, "token", p)
}

// tokenPost is the button's post: it acts on the token of the path.
func (s *server) tokenPost(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		t := s.pageLang(c)
		body := web.TokenBody{Kind: tokenKinds[kind], State: "ask", Action: c.Path()}
		if msg, err := s.formTokenMessage(c.UserContext(), c.FormValue("form_token"), kind, 0); err != nil {
			return err
		} else if msg != "" {
			body.Form = s.blankForm(kind)
			body.Form.Message = msg
			return s.renderToken(c, t, kind, body, fiber.StatusUnprocessableEntity)
		}
		token := c.Params("token")
		var err error
		if token == "" || len(token) > 200 {
			err = store.ErrNotFound
		} else {
			body.Campaign, body.Receipt, err = s.actOnToken(c, kind, auth.HashToken(token))
		}
		switch {
		case errors.Is(err, store.ErrNotFound):
			body.State = "invalid"
			return s.renderToken(c, t, kind, body, fiber.StatusNotFound)
		case err != nil:
			return err
		}
		body.State = "done"
		return s.renderToken(c, t, kind, body, fiber.StatusOK)
	}
}

// actOnToken does what the API's confirm, withdraw, unsubscribe and
// endorsement confirm do, and returns the campaign's slug where there is
// one, and a fresh confirmation's receipt (shown once, never stored).
func (s *server) actOnToken(c *fiber.Ctx, kind, hash string) (slug, receipt string, err error) {
	switch kind {
	case "confirm":
		receipt, commitment := translog.NewReceipt()
		slug, fresh, err := s.Store.ConfirmSignature(c.UserContext(), hash, commitment)
		if !fresh {
			receipt = ""
		}
		return slug, receipt, err
	case "withdraw":
		slug, err := s.Store.WithdrawSignature(c.UserContext(), hash)
		return slug, "", err
	case "unsubscribe":
		return "", "", s.Store.Unsubscribe(c.UserContext(), hash)
	default:
		return "", "", s.verifyEndorsement(c, hash)
	}
}
