package api

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/translog"
)

// The transparency log (issue 15), served read-only as c2sp.org/tlog-tiles
// lays it out, so that existing tlog tooling reads it:
//
//	GET  /log/key                    the signed-note verifier key
//	GET  /log/{slug}/checkpoint      the latest signed, cosigned checkpoint
//	GET  /log/{slug}/tile/...        hash tiles and entry bundles (immutable)
//	POST /log/{slug}/cosignature     a configured witness's cosigned checkpoint

// logView is what a campaign page shows of its log.
type logView struct {
	Size      int64      `json:"size"`
	Counted   int64      `json:"counted"`
	SignedAt  *time.Time `json:"signed_at"`
	Witnesses []string   `json:"witnesses"`
	URL       string     `json:"url"`
}

func (s *server) logOf(ctx context.Context, camp store.Campaign) (*logView, error) {
	tree, err := s.Store.LogTreeOf(ctx, camp.ID)
	if err != nil {
		return nil, err
	}
	v := &logView{Size: tree.Size, Counted: tree.Counted, SignedAt: tree.SignedAt, Witnesses: []string{},
		URL: strings.TrimSuffix(s.Config.PublicURL.String(), "/") + "/log/" + camp.Slug}
	if tree.Size > 0 {
		if _, v.Witnesses, err = translog.Cosigned(ctx, s.Store, tree); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// logPublic sets what every log answer shares: anyone may read it from
// anywhere (it holds no personal data), and mirrors may keep it.
func logPublic(c *fiber.Ctx, cache string) {
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	c.Set(fiber.HeaderCacheControl, cache)
}

func (s *server) logKey(c *fiber.Ctx) error {
	if s.Log == nil {
		return errNotFound("log")
	}
	logPublic(c, "public, max-age=3600")
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	return c.SendString(s.Log.VerifierKey + "\n")
}

func (s *server) logTree(c *fiber.Ctx) (store.LogTree, error) {
	if s.Log == nil {
		return store.LogTree{}, errNotFound("log")
	}
	camp, err := s.publicCampaign(c)
	if err != nil {
		return store.LogTree{}, err
	}
	tree, err := s.Store.LogTreeOf(c.UserContext(), camp.ID)
	if err != nil {
		return store.LogTree{}, err
	}
	if tree.Size == 0 {
		return store.LogTree{}, &Error{Status: fiber.StatusNotFound, Code: "not_found", Message: "this campaign's log has no checkpoint yet: the first batch is appended within LOG_BATCH_INTERVAL of the first confirmation"}
	}
	return tree, nil
}

func (s *server) logCheckpoint(c *fiber.Ctx) error {
	tree, err := s.logTree(c)
	if err != nil {
		return err
	}
	body, _, err := translog.Cosigned(c.UserContext(), s.Store, tree)
	if err != nil {
		return err
	}
	logPublic(c, "no-cache")
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	return c.SendString(body)
}

func (s *server) logTile(c *fiber.Ctx) error {
	tree, err := s.logTree(c)
	if err != nil {
		return err
	}
	data, err := translog.Tile(c.UserContext(), s.Store, tree.CampaignID, tree.Size, "tile/"+c.Params("*"))
	if errors.Is(err, translog.ErrNoTile) {
		return errNotFound("tile")
	} else if err != nil {
		return err
	}
	logPublic(c, "public, max-age=31536000, immutable")
	c.Set(fiber.HeaderContentType, fiber.MIMEOctetStream)
	return c.Send(data)
}

func (s *server) logCosignature(c *fiber.Ctx) error {
	if s.Log == nil {
		return errNotFound("log")
	}
	camp, err := s.publicCampaign(c)
	if err != nil {
		return err
	}
	n, err := translog.AcceptCosignatures(c.UserContext(), s.Store, s.Log, camp.ID, camp.Slug, c.Body())
	if errors.Is(err, translog.ErrCosignature) {
		return &Error{Status: fiber.StatusUnprocessableEntity, Code: "validation_failed", Message: err.Error()}
	} else if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"accepted": n})
}
