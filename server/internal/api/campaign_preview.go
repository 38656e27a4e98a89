package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/markdown"
)

// previewInput is the body of a campaign preview: Markdown not yet saved.
type previewInput struct {
	Body *string `json:"body"`
}

// previewCampaignBody renders a campaign body's Markdown exactly as saving
// would (same limits, same sanitiser), so that the editor can show it while
// it is typed. Nothing is stored.
func (s *server) previewCampaignBody(c *fiber.Ctx) error {
	var in previewInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Body == nil {
		return errField("body", errRequired())
	}
	f := fieldErrors{}
	var body string
	text(f, "body", in.Body, &body, 0, maxBody)
	if err := f.err(); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"html": markdown.ToHTML(body)})
}
