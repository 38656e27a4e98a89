package api

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/store"
)

type campaignSummary struct {
	Slug             string     `json:"slug"`
	Title            string     `json:"title"`
	Summary          string     `json:"summary"`
	Language         string     `json:"language"`
	Status           string     `json:"status"`
	Goal             int64      `json:"goal"`
	SignatureCount   int64      `json:"signature_count"`
	EndorsementCount int64      `json:"endorsement_count"`
	OpensAt          *time.Time `json:"opens_at"`
	ClosesAt         *time.Time `json:"closes_at"`
}

type callView struct {
	ID        string   `json:"id"`
	Audiences []string `json:"audiences"`
	Text      string   `json:"text"`
	// EndorsementCount is filled in the public view only.
	EndorsementCount int64 `json:"endorsement_count"`
}

type translationView struct {
	Title    string   `json:"title"`
	Summary  string   `json:"summary"`
	Body     string   `json:"body,omitempty"`
	BodyHTML string   `json:"body_html"`
	Calls    []string `json:"calls"`
	// Missing (staff only) names what a draft translation lacks: it is
	// served only once nothing is missing.
	Missing []string `json:"missing,omitempty"`
}

type campaignView struct {
	campaignSummary
	BodyHTML     string                     `json:"body_html"`
	Calls        []callView                 `json:"calls"`
	Translations map[string]translationView `json:"translations"`
	// Log is the campaign's transparency log: filled in the public view.
	Log *logView `json:"log,omitempty"`
}

// adminCampaignView adds what only staff see: the Markdown source and the
// bookkeeping.
type adminCampaignView struct {
	campaignView
	ID            string     `json:"id"`
	Body          string     `json:"body"`
	RetentionDays int        `json:"retention_days"`
	ContactEmail  string     `json:"contact_email"`
	SenderName    string     `json:"sender_name"`
	ClosedAt      *time.Time `json:"closed_at"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

func summarize(c store.Campaign) campaignSummary {
	status := c.Status
	// Housekeeping closes it within minutes; until then it reads as closed.
	if status == store.StatusOpen && c.ClosesAt != nil && !c.ClosesAt.After(time.Now()) {
		status = store.StatusClosed
	}
	return campaignSummary{
		Slug: c.Slug, Title: c.Title, Summary: c.Summary, Language: c.Language, Status: status,
		Goal: c.Goal, OpensAt: c.OpensAt, ClosesAt: c.ClosesAt,
	}
}

func viewCampaign(c store.Campaign, withSource bool) campaignView {
	v := campaignView{campaignSummary: summarize(c), BodyHTML: c.BodyHTML,
		Calls: make([]callView, len(c.Calls)), Translations: map[string]translationView{}}
	for i, call := range c.Calls {
		v.Calls[i] = callView{ID: call.ID, Audiences: call.Audiences, Text: call.Text}
	}
	translations := c.Served()
	if withSource {
		translations = c.Translations
	}
	for _, t := range translations {
		tv := translationView{Title: t.Title, Summary: t.Summary, BodyHTML: t.BodyHTML, Calls: t.Calls}
		if withSource {
			tv.Body = t.Body
			tv.Missing = c.Missing(t)
		}
		v.Translations[t.Language] = tv
	}
	return v
}

func viewAdminCampaign(c store.Campaign) adminCampaignView {
	return adminCampaignView{campaignView: viewCampaign(c, true), ID: c.ID, Body: c.Body,
		RetentionDays: c.RetentionDays, ContactEmail: deref(c.ContactEmail), SenderName: deref(c.SenderName), ClosedAt: c.ClosedAt, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// summarizeIn is a campaign's summary in lang where it has a complete
// translation in it (store.Campaign.ServedIn, the rule of every page), else
// in its own language; Language says which.
func summarizeIn(c store.Campaign, lang string) campaignSummary {
	v := summarize(c)
	if t, ok := c.ServedIn(lang); ok {
		v.Title, v.Summary, v.Language = t.Title, t.Summary, t.Language
	}
	return v
}

// listCampaigns answers from the short-lived cache, which holds the list
// in every language some campaign is translated into, built from one read:
// each language is as fresh as the others, and ?lang= cannot grow the cache
// (a language no campaign has gets the list as written).
func (s *server) listCampaigns(c *fiber.Ctx) error {
	lang := c.Query("lang")
	if lang != "" && !languagePattern.MatchString(lang) {
		return errField("lang", errLanguage())
	}
	v, err := s.cache.get("campaigns", func() (any, error) {
		cs, err := s.Store.PublicCampaigns(c.UserContext())
		if err != nil {
			return nil, err
		}
		counts, err := s.Store.SignatureCounts(c.UserContext())
		if err != nil {
			return nil, err
		}
		endorsements, err := s.Store.EndorsementCounts(c.UserContext())
		if err != nil {
			return nil, err
		}
		langs := map[string]bool{"": true}
		for _, camp := range cs {
			for _, t := range camp.Served() {
				langs[t.Language] = true
			}
		}
		bodies := make(map[string][]byte, len(langs))
		for l := range langs {
			items := make([]campaignSummary, len(cs))
			for i, camp := range cs {
				items[i] = summarizeIn(camp, l)
				items[i].SignatureCount = counts[camp.ID]
				items[i].EndorsementCount = endorsements[camp.ID]
			}
			if bodies[l], err = json.Marshal(fiber.Map{"items": items}); err != nil {
				return nil, err
			}
		}
		return bodies, nil
	})
	if err != nil {
		return err
	}
	bodies := v.(map[string][]byte)
	body, ok := bodies[lang]
	if !ok {
		body = bodies[""]
	}
	return sendJSON(c, body)
}

// publicCampaign finds a campaign the public may see: drafts do not exist
// for them. It comes from the short-lived cache: signing reads it on every
// request, and a change (closing, say) may take a second to show.
func (s *server) publicCampaign(c *fiber.Ctx) (store.Campaign, error) {
	v, err := s.cache.get("c:"+c.Params("slug"), func() (any, error) {
		camp, err := s.Store.CampaignBySlug(c.UserContext(), c.Params("slug"))
		if errors.Is(err, store.ErrNotFound) || (err == nil && camp.Status == store.StatusDraft) {
			return nil, errNotFound("campaign")
		}
		return camp, err
	})
	if err != nil {
		return store.Campaign{}, err
	}
	return v.(store.Campaign), nil
}

// getCampaign answers from the short-lived cache: this is the page a
// crowd reads.
func (s *server) getCampaign(c *fiber.Ctx) error {
	body, err := s.cache.get("campaign:"+c.Params("slug"), func() (any, error) {
		camp, err := s.publicCampaign(c)
		if err != nil {
			return nil, err
		}
		v := viewCampaign(camp, false)
		if v.SignatureCount, err = s.Store.SignatureCount(c.UserContext(), camp.ID); err != nil {
			return nil, err
		}
		if err := s.addEndorsementCounts(c.UserContext(), &v, camp.ID); err != nil {
			return nil, err
		}
		if v.Log, err = s.logOf(c.UserContext(), camp); err != nil {
			return nil, err
		}
		return json.Marshal(v)
	})
	if err != nil {
		return err
	}
	return sendJSON(c, body.([]byte))
}

func (s *server) adminListCampaigns(c *fiber.Ctx) error {
	cs, err := s.Store.AllCampaigns(c.UserContext())
	if err != nil {
		return err
	}
	items := make([]adminCampaignView, len(cs))
	for i, camp := range cs {
		items[i] = viewAdminCampaign(camp)
	}
	return c.JSON(fiber.Map{"items": items})
}

func (s *server) adminGetCampaign(c *fiber.Ctx) error {
	camp, err := s.adminCampaign(c)
	if err != nil {
		return err
	}
	return c.JSON(viewAdminCampaign(camp))
}

func (s *server) createCampaign(c *fiber.Ctx) error {
	var in campaignInput
	if err := decode(c, &in); err != nil {
		return err
	}
	camp := store.Campaign{Language: "en", Status: store.StatusDraft, RetentionDays: 90}
	if err := applyCampaign(&camp, in, true); err != nil {
		return err
	}
	err := s.Store.CreateCampaign(c.UserContext(), &camp, auditBy(c, "campaign.create", camp.Slug, 1))
	switch {
	case errors.Is(err, store.ErrConflict):
		return errField("slug", fe(codeTaken, "is already taken"))
	case errors.Is(err, store.ErrUnknownCall):
		return errField("calls", fe(codeCallIDNew, "a new campaign's calls have no id yet: leave id out"))
	case err != nil:
		return err
	}
	created, err := s.Store.CampaignBySlug(c.UserContext(), camp.Slug)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(viewAdminCampaign(created))
}

func (s *server) updateCampaign(c *fiber.Ctx) error {
	var in campaignInput
	if err := decode(c, &in); err != nil {
		return err
	}
	camp, err := s.adminCampaign(c)
	if err != nil {
		return err
	}
	if err := applyCampaign(&camp, in, false); err != nil {
		return err
	}
	err = s.Store.UpdateCampaign(c.UserContext(), &camp, auditBy(c, "campaign.update", camp.Slug, 1))
	switch {
	case errors.Is(err, store.ErrConflict):
		return errField("slug", fe(codeTaken, "is already taken"))
	case errors.Is(err, store.ErrUnknownCall):
		return errField("calls", fe(codeCallIDUnknown, "an id is not one of this campaign's calls (leave id out for a new call)"))
	case err != nil:
		return err
	}
	if camp.Status == store.StatusClosed {
		// Closing destroys the campaign's dedup key and hashes at once.
		s.Hasher.Forget(camp.ID)
		if err := s.Store.ShredCampaign(c.UserContext(), camp.ID); err != nil {
			return err
		}
	}
	updated, err := s.Store.CampaignBySlug(c.UserContext(), camp.Slug)
	if err != nil {
		return err
	}
	return c.JSON(viewAdminCampaign(updated))
}

func (s *server) deleteCampaign(c *fiber.Ctx) error {
	err := s.Store.DeleteCampaign(c.UserContext(), c.Params("slug"), auditBy(c, "campaign.delete", c.Params("slug"), 1))
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("campaign")
	} else if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
