package api

import (
	"encoding/json"
	"errors"
	htmltemplate "html/template"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/markdown"
	"github.com/bnp/undersigned/server/internal/store"
)

// updateInput is a signer update as staff write it: subject and body in
// the campaign's language, and translations by language.
type updateInput struct {
	Subject      *string                     `json:"subject"`
	Body         *string                     `json:"body"`
	Translations map[string]store.UpdateText `json:"translations"`
}

const (
	maxUpdateSubject = 200
	maxUpdateBody    = 20000
)

type updateView struct {
	ID           string            `json:"id"`
	Subject      string            `json:"subject"`
	Body         string            `json:"body"`
	Translations store.UpdateTexts `json:"translations"`
	Status       string            `json:"status"`
	Recipients   int64             `json:"recipients"`
	CreatedAt    time.Time         `json:"created_at"`
	SentAt       *time.Time        `json:"sent_at"`
	Counts       map[string]int64  `json:"counts,omitempty"`
}

func viewUpdate(u store.SignerUpdate) updateView {
	if u.Translations == nil {
		u.Translations = store.UpdateTexts{}
	}
	return updateView{ID: u.ID, Subject: u.Subject, Body: u.Body, Translations: u.Translations, Status: u.Status,
		Recipients: u.Recipients, CreatedAt: u.CreatedAt, SentAt: u.SentAt}
}

// apply checks the input and writes it into u (all fields when create).
func (in updateInput) apply(u *store.SignerUpdate, create bool) error {
	f := fieldErrors{}
	checkText := func(field, v string, max int) {
		if n := utf8.RuneCountInString(strings.TrimSpace(v)); n == 0 || n > max || !printable(v, true) {
			f.add(field, "is required, at most "+strconv.Itoa(max)+" characters of printable text")
		}
	}
	if in.Subject != nil || create {
		u.Subject = strings.TrimSpace(deref(in.Subject))
		checkText("subject", u.Subject, maxUpdateSubject)
		if strings.ContainsAny(u.Subject, "\r\n") {
			f.add("subject", "must be one line")
		}
	}
	if in.Body != nil || create {
		u.Body = deref(in.Body)
		checkText("body", u.Body, maxUpdateBody)
	}
	if in.Translations != nil {
		u.Translations = store.UpdateTexts{}
		for lang, t := range in.Translations {
			if !languagePattern.MatchString(lang) {
				f.add("translations", "keys must be language codes such as be or ru")
				continue
			}
			t.Subject = strings.TrimSpace(t.Subject)
			checkText("translations."+lang+".subject", t.Subject, maxUpdateSubject)
			checkText("translations."+lang+".body", t.Body, maxUpdateBody)
			u.Translations[lang] = t
		}
	}
	return f.err()
}

// listUpdates shows a campaign's updates and how many signers would
// receive one now, by language: counted without opening anything.
func (s *server) listUpdates(c *fiber.Ctx) error {
	camp, err := s.adminCampaign(c)
	if err != nil {
		return err
	}
	us, err := s.Store.SignerUpdates(c.UserContext(), camp.ID)
	if err != nil {
		return err
	}
	byLang, total, err := s.updateAudience(c, camp)
	if err != nil {
		return err
	}
	items := make([]updateView, len(us))
	for i, u := range us {
		items[i] = viewUpdate(u)
	}
	return c.JSON(fiber.Map{"items": items, "recipients": fiber.Map{"total": total, "by_language": byLang}})
}

// updateAudience counts today's recipients by the language they will get.
func (s *server) updateAudience(c *fiber.Ctx, camp store.Campaign) ([]store.LanguageCount, int64, error) {
	rows, err := s.Store.UpdateRecipientCounts(c.UserContext(), camp.ID)
	if err != nil {
		return nil, 0, err
	}
	merged := map[string]int64{}
	var total int64
	for _, r := range rows {
		lang := r.Language
		if lang == "" {
			lang = camp.Language
		}
		merged[lang] += r.Count
		total += r.Count
	}
	out := []store.LanguageCount{}
	for _, l := range append([]string{camp.Language}, mailers.Languages...) {
		if n, ok := merged[l]; ok {
			out = append(out, store.LanguageCount{Language: l, Count: n})
			delete(merged, l)
		}
	}
	for l, n := range merged {
		out = append(out, store.LanguageCount{Language: l, Count: n})
	}
	return out, total, nil
}

func (s *server) createUpdate(c *fiber.Ctx) error {
	var in updateInput
	if err := decode(c, &in); err != nil {
		return err
	}
	camp, err := s.adminCampaign(c)
	if err != nil {
		return err
	}
	u := store.SignerUpdate{CampaignID: camp.ID, CreatedBy: currentUser(c).Email}
	if err := in.apply(&u, true); err != nil {
		return err
	}
	if err := s.Store.CreateSignerUpdate(c.UserContext(), &u, auditBy(c, "update.create", camp.Slug, 1)); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(viewUpdate(u))
}

func (s *server) loadUpdate(c *fiber.Ctx) (store.Campaign, store.SignerUpdate, error) {
	camp, err := s.adminCampaign(c)
	if err != nil {
		return camp, store.SignerUpdate{}, err
	}
	u, err := s.Store.SignerUpdateByID(c.UserContext(), camp.ID, c.Params("id"))
	if errors.Is(err, store.ErrNotFound) {
		return camp, u, errNotFound("update")
	}
	return camp, u, err
}

func (s *server) getUpdate(c *fiber.Ctx) error {
	_, u, err := s.loadUpdate(c)
	if err != nil {
		return err
	}
	v := viewUpdate(u)
	if v.Counts, err = s.Store.UpdateDeliveryCounts(c.UserContext(), u.ID); err != nil {
		return err
	}
	return c.JSON(v)
}

func (s *server) patchUpdate(c *fiber.Ctx) error {
	var in updateInput
	if err := decode(c, &in); err != nil {
		return err
	}
	_, u, err := s.loadUpdate(c)
	if err != nil {
		return err
	}
	if err := in.apply(&u, false); err != nil {
		return err
	}
	if err := s.Store.SaveSignerUpdate(c.UserContext(), &u); errors.Is(err, store.ErrConflict) {
		return errConflict(reasonUpdateLocked, "this update is being sent or was sent: it can no longer change")
	} else if err != nil {
		return err
	}
	return c.JSON(viewUpdate(u))
}

// updateParams is the email of an update in one language (the campaign's
// where there is no translation), for one unsubscribe link.
func (s *server) updateParams(camp store.Campaign, u store.SignerUpdate, lang string, unsub mailers.DigestUnsubscribe) mailers.SignerUpdateParams {
	subject, body := u.Subject, u.Body
	if t, ok := u.Translations[lang]; ok && lang != camp.Language {
		subject, body = t.Subject, t.Body
	}
	title := camp.Title
	for _, tr := range camp.Translations {
		if tr.Language == lang && tr.Title != "" {
			title = tr.Title
		}
	}
	return mailers.SignerUpdateParams{Subject: subject, Body: body, BodyHTML: markdownHTML(body),
		Campaign: title, Link: s.link("/" + camp.Slug), Unsub: unsub}
}

func (s *server) updateUnsubscribe(signatureID string) mailers.DigestUnsubscribe {
	token := s.Keys.UpdateUnsubscribeToken(signatureID)
	return mailers.DigestUnsubscribe{Page: s.link("/unsubscribe/" + token), OneClick: s.link("/api/v1/contacts/unsubscribe?token=" + token)}
}

func (s *server) previewUpdate(c *fiber.Ctx) error {
	camp, u, err := s.loadUpdate(c)
	if err != nil {
		return err
	}
	format, lang, err := previewQuery(c, camp.Language)
	if err != nil {
		return err
	}
	params, err := json.Marshal(s.updateParams(camp, u, lang, s.updateUnsubscribe("preview")))
	if err != nil {
		return err
	}
	email, err := s.Catalog.Render(mailers.KindSignerUpdate, lang, params)
	if err != nil {
		return err
	}
	return sendPreview(c, email, format)
}

// testUpdate sends the update to one staff address, in one language.
func (s *server) testUpdate(c *fiber.Ctx) error {
	to, lang, err := readTestSend(c)
	if err != nil {
		return err
	}
	camp, u, err := s.loadUpdate(c)
	if err != nil {
		return err
	}
	if lang == "" {
		lang = camp.Language
	}
	p := s.updateParams(camp, u, lang, s.updateUnsubscribe("test"))
	p.Subject = "[TEST] " + p.Subject
	out := mailers.SignerUpdate(lang, p)
	m := store.Mail{Kind: out.Kind, Recipient: to, Language: lang, Params: out.Params, Ref: "test:" + u.ID}
	return s.queueTestSend(c, m, auditBy(c, "update.test", u.ID, 1))
}

// updateBatch is how many recipients are opened and queued per
// transaction.
const updateBatch = 500

// sendUpdate queues the update for every signer who asked for updates,
// each in their language, exactly once (dedupe key per update and
// signature, so an interrupted send can simply be sent again). The
// coalition identity opens each sealed address in memory for this request
// only; what is queued is the mail engineer's encrypted queue.
func (s *server) sendUpdate(c *fiber.Ctx) error {
	var in identityInput
	if err := decode(c, &in); err != nil {
		return err
	}
	open, err := s.openerFrom(in.Identity)
	if err != nil {
		return err
	}
	camp, u, err := s.loadUpdate(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	err = s.Store.StartSignerUpdate(ctx, camp.ID, u.ID, auditBy(c, "update.send", camp.Slug, 0, "update="+u.ID))
	if errors.Is(err, store.ErrConflict) {
		return errConflict(reasonUpdateSent, "this update was sent already")
	} else if err != nil {
		return err
	}
	queued := int64(0)
	err = s.Store.EachUpdateRecipientBatch(ctx, camp.ID, updateBatch, func(batch []store.UpdateRecipient) error {
		mails := make([]store.Mail, 0, len(batch))
		for _, r := range batch {
			to, err := open.Open(r.EmailSealed)
			if err != nil {
				continue // sealed to a recipient that rotated out: not this identity's
			}
			lang := r.Language
			if lang == "" {
				lang = camp.Language
			}
			params, err := json.Marshal(s.updateParams(camp, u, lang, s.updateUnsubscribe(r.ID)))
			if err != nil {
				return err
			}
			mails = append(mails, store.Mail{Kind: mailers.KindSignerUpdate, Recipient: to, Language: lang, Params: params,
				Ref: r.ID, DedupeKey: "update:" + u.ID + ":" + r.ID})
		}
		queued += int64(len(mails))
		return s.Store.EnqueueMail(ctx, mails...)
	})
	if err != nil {
		return err
	}
	if err := s.Store.FinishSignerUpdate(ctx, u.ID); err != nil {
		return err
	}
	s.Mail.Wake()
	return c.JSON(fiber.Map{"status": store.UpdateSent, "queued": queued})
}

// unsubscribeSigner handles a signer's update unsubscribe token: the
// sealed address is deleted and no update goes to it again.
func (s *server) unsubscribeSigner(c *fiber.Ctx, token string) error {
	id, ok := s.Keys.UpdateUnsubscribeSignature(token)
	if !ok {
		return &Error{Status: fiber.StatusNotFound, Code: "not_found", Message: "this unsubscribe link is not valid"}
	}
	err := s.Store.UnsubscribeSigner(c.UserContext(), id, mailers.KindSignerUpdate)
	if errors.Is(err, store.ErrNotFound) {
		// Withdrawn or past retention: nothing is kept, which is what was asked.
		return c.JSON(fiber.Map{"status": "unsubscribed"})
	} else if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"status": "unsubscribed"})
}

// markdownHTML renders staff Markdown, sanitised, for an email.
func markdownHTML(md string) htmltemplate.HTML {
	return htmltemplate.HTML(markdown.ToHTML(md)) //nolint:gosec // sanitised by markdown.ToHTML
}
