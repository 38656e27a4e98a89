package api

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/digest"
	"github.com/bnp/undersigned/server/internal/store"
)

type digestInput struct {
	Region    string   `json:"region"`
	Campaigns []string `json:"campaigns"`
	Subject   string   `json:"subject"`
	Intro     string   `json:"intro"`
}

type digestCounts struct {
	Recipients int64 `json:"recipients"`
	Sent       int64 `json:"sent"`
	Failed     int64 `json:"failed"`
	Pending    int64 `json:"pending"`
}

type digestView struct {
	ID         string        `json:"id"`
	Region     string        `json:"region"`
	Campaigns  []string      `json:"campaigns"`
	Subject    string        `json:"subject"`
	Intro      string        `json:"intro"`
	Status     string        `json:"status"`
	ScheduleID *string       `json:"schedule_id"`
	Period     *string       `json:"period"`
	CreatedAt  time.Time     `json:"created_at"`
	SendingAt  *time.Time    `json:"sending_at"`
	SentAt     *time.Time    `json:"sent_at"`
	Counts     *digestCounts `json:"counts,omitempty"`
	// Subscribed is how many contacts a draft would reach if sent now.
	Subscribed *int64 `json:"subscribed,omitempty"`
}

// campaignSlugs maps campaign ids to slugs for views.
func (s *server) viewDigest(c *fiber.Ctx, d store.Digest, counts *digestCounts) (digestView, error) {
	v := digestView{ID: d.ID, Region: d.Region, Subject: d.Subject, Intro: d.Intro, Status: d.Status,
		ScheduleID: d.ScheduleID, Period: d.Period, CreatedAt: d.CreatedAt, SendingAt: d.SendingAt, SentAt: d.SentAt,
		Campaigns: []string{}, Counts: counts}
	for _, dc := range d.Campaigns {
		camp, err := s.Store.CampaignByID(c.UserContext(), dc.CampaignID)
		if err != nil {
			return v, err
		}
		v.Campaigns = append(v.Campaigns, camp.Slug)
	}
	return v, nil
}

// validDigest checks a digest's region, subject and campaigns, returning
// the campaigns' ids in order.
func (s *server) validDigest(c *fiber.Ctx, f fieldErrors, region, subject string, slugs []string) []string {
	if region != store.RegionEU && region != store.RegionUS && region != store.RegionOther {
		f.set("region", errOneOf("eu", "us", "other"))
	}
	if n := len([]rune(strings.TrimSpace(subject))); n == 0 || n > 200 {
		f.set("subject", errLength(1, 200))
	}
	if len(slugs) == 0 || len(slugs) > 10 {
		f.set("campaigns", fe(codeCampaigns, "name 1 to 10 campaigns by slug", 1, 10))
	}
	var ids []string
	seen := map[string]bool{}
	for _, slug := range slugs {
		camp, err := s.Store.CampaignBySlug(c.UserContext(), slug)
		if err != nil || seen[slug] {
			f.set("campaigns", fe(codeUnknownCampaign, "each must be the slug of a campaign, named once"))
			continue
		}
		seen[slug] = true
		ids = append(ids, camp.ID)
	}
	return ids
}

func (s *server) createDigest(c *fiber.Ctx) error {
	var in digestInput
	if err := decode(c, &in); err != nil {
		return err
	}
	f := fieldErrors{}
	ids := s.validDigest(c, f, in.Region, in.Subject, in.Campaigns)
	if len(in.Intro) > 20000 {
		f.set("intro", errTooLong(20000))
	}
	if err := f.err(); err != nil {
		return err
	}
	d := store.Digest{Region: in.Region, Subject: strings.TrimSpace(in.Subject), Intro: in.Intro, CreatedBy: currentUser(c).ID}
	if err := s.Store.CreateDigest(c.UserContext(), &d, ids, auditBy(c, "digest.create", "", 1)); err != nil {
		return err
	}
	v, err := s.viewDigest(c, d, nil)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(v)
}

func (s *server) listDigests(c *fiber.Ctx) error {
	if _, err := s.Store.FinishDigests(c.UserContext()); err != nil {
		return err
	}
	ds, err := s.Store.ListDigests(c.UserContext(), 100)
	if err != nil {
		return err
	}
	items := make([]digestView, len(ds))
	for i, d := range ds {
		if items[i], err = s.viewDigest(c, d, nil); err != nil {
			return err
		}
	}
	return c.JSON(fiber.Map{"items": items})
}

func (s *server) loadDigest(c *fiber.Ctx) (store.Digest, error) {
	d, err := s.Store.DigestByID(c.UserContext(), c.Params("id"))
	if errors.Is(err, store.ErrNotFound) {
		return d, errNotFound("digest")
	}
	return d, err
}

// getDigest shows a digest with its delivery counts, which move while it
// is being sent.
func (s *server) getDigest(c *fiber.Ctx) error {
	if _, err := s.Store.FinishDigests(c.UserContext()); err != nil {
		return err
	}
	d, err := s.loadDigest(c)
	if err != nil {
		return err
	}
	mc, err := s.Store.MailCounts(c.UserContext(), d.ID)
	if err != nil {
		return err
	}
	counts := &digestCounts{Recipients: d.Recipients, Sent: mc[store.MailSent], Failed: mc[store.MailFailed], Pending: mc[store.MailQueued]}
	v, err := s.viewDigest(c, d, counts)
	if err != nil {
		return err
	}
	if d.Status == store.DigestDraft {
		n, err := s.Store.CountSubscribed(c.UserContext(), d.Region)
		if err != nil {
			return err
		}
		v.Subscribed = &n
	}
	return c.JSON(v)
}

func (s *server) digestContent(c *fiber.Ctx, d store.Digest) (digest.Content, error) {
	return s.Digests.ContentOf(c.UserContext(), d, time.Now())
}

// previewDigest renders the digest exactly as a recipient will get it (the
// unsubscribe link aside), as HTML or text, in a language.
func (s *server) previewDigest(c *fiber.Ctx) error {
	d, err := s.loadDigest(c)
	if err != nil {
		return err
	}
	format, lang, err := previewQuery(c, "en")
	if err != nil {
		return err
	}
	email, err := s.renderDigest(c, d, lang, s.Digests.Unsubscribe("preview"))
	if err != nil {
		return err
	}
	return sendPreview(c, email, format)
}

func (s *server) renderDigest(c *fiber.Ctx, d store.Digest, lang string, unsub mailers.DigestUnsubscribe) (mailers.Email, error) {
	content, err := s.digestContent(c, d)
	if err != nil {
		return mailers.Email{}, err
	}
	params, err := json.Marshal(digest.Params(content, lang, unsub))
	if err != nil {
		return mailers.Email{}, err
	}
	return s.Catalog.Render(mailers.KindDigest, lang, params)
}

// testDigest sends the digest, as it stands, to one address.
func (s *server) testDigest(c *fiber.Ctx) error {
	to, lang, err := readTestSend(c)
	if err != nil {
		return err
	}
	if lang == "" {
		lang = "en"
	}
	d, err := s.loadDigest(c)
	if err != nil {
		return err
	}
	content, err := s.digestContent(c, d)
	if err != nil {
		return err
	}
	p := digest.Params(content, lang, s.Digests.Unsubscribe(testContact))
	p.Subject = "[TEST] " + p.Subject
	p.Test = true
	params, err := json.Marshal(p)
	if err != nil {
		return err
	}
	m := store.Mail{Kind: mailers.KindDigest, Recipient: to, Language: lang, Params: params, Ref: "test:" + d.ID}
	return s.queueTestSend(c, m, auditBy(c, "digest.test", d.ID, 1))
}

// sendDigest snapshots the digest and queues one message per subscribed
// contact of its region. Sending a digest already being sent (a second
// click, two editors, two instances) is a no-op with the same answer: it
// queues nobody again and writes no second audit record. A sent or
// cancelled digest is a conflict.
func (s *server) sendDigest(c *fiber.Ctx) error {
	d, err := s.loadDigest(c)
	if err != nil {
		return err
	}
	n, err := s.startSending(c, d, auditBy(c, "digest.send", d.ID, 0))
	switch {
	case errors.Is(err, store.ErrDigestStarted):
		// started by another request: answered as that one was
	case errors.Is(err, store.ErrDigestState):
		if now, err := s.Store.DigestByID(c.UserContext(), d.ID); err == nil {
			d = now // cancelled since it was read
		}
		return errConflict(digestStateReason(d.Status), "this digest was "+d.Status)
	case errors.Is(err, digest.ErrLogInconsistent):
		return errConflict(reasonLogInconsistent, err.Error())
	case err != nil:
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"status": store.DigestSending, "recipients": n})
}

func (s *server) startSending(c *fiber.Ctx, d store.Digest, audit *store.AuditEntry) (int64, error) {
	n, err := s.Digests.Start(c.UserContext(), d, audit, time.Now())
	if err == nil {
		s.Mail.Wake()
	}
	return n, err
}

func (s *server) cancelDigest(c *fiber.Ctx) error {
	err := s.Store.CancelDigest(c.UserContext(), c.Params("id"), auditBy(c, "digest.cancel", c.Params("id"), 0))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errNotFound("digest")
	case errors.Is(err, store.ErrDigestState):
		return errConflict(reasonDigestNotCancellable, "only a draft or a digest being sent can be cancelled")
	case err != nil:
		return err
	}
	return c.JSON(fiber.Map{"status": store.DigestCancelled})
}
