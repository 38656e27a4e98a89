package api

import (
	"errors"
	"html/template"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/web"
)

// The server-rendered public pages (issue 13): the same pages as the SPA,
// complete in the first response, so that they read and work without
// JavaScript and a shared link previews as its campaign. Their forms are
// in pages_forms.go and pages_tokens.go.

// langCookie is the language the switcher chose, read by the SPA too.
const langCookie = "lang"

// pageLang is the reader's language: ?lang=, then the switcher's cookie,
// then Accept-Language. A ?lang= choice is remembered in the cookie.
func (s *server) pageLang(c *fiber.Ctx) *web.T {
	q := c.Query("lang")
	if c.Method() == fiber.MethodPost {
		q = c.FormValue("lang")
	}
	lang := web.Pick(q, c.Cookies(langCookie), c.Get(fiber.HeaderAcceptLanguage))
	if web.Known(q) && q != c.Cookies(langCookie) {
		c.Cookie(&fiber.Cookie{Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
			SameSite: fiber.CookieSameSiteLaxMode, Secure: s.secureCookies})
	}
	return s.Pages.Translator(lang)
}

// page is a page's frame: its title after the site's name, as the SPA
// sets it, and the SPA taking over where the request was a plain GET.
func (s *server) page(c *fiber.Ctx, t *web.T, route, title string) web.Page {
	return web.Page{T: t, Route: route, Path: c.Path(), Title: title + " — " + t.S("site.name"),
		Description: t.S("site.tagline"), TakeOver: c.Method() == fiber.MethodGet}
}

// render sends a page. No cache keeps it: each page carries a form token of
// its own, and an answer to a form may show what the person typed.
func (s *server) render(c *fiber.Ctx, status int, name string, p web.Page) error {
	body, err := s.Pages.Render(name, p)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderVary, "Accept-Language, Cookie")
	c.Type("html", "utf-8")
	return c.Status(status).Send(body)
}

// pageErrors answers a page route's unexpected error (the database down,
// say) with a page rather than the API's JSON, with the same status.
func (s *server) pageErrors() fiber.Handler {
	return func(c *fiber.Ctx) error {
		err := c.Next()
		if err == nil {
			return nil
		}
		apiErr := classify(c, s.Store, err)
		t := s.Pages.Translator(web.Pick(c.Query("lang"), c.Cookies(langCookie), c.Get(fiber.HeaderAcceptLanguage)))
		p := s.page(c, t, "error", t.S("error.title"))
		p.TakeOver = false
		p.Body = web.MessageBody{Title: t.S("error.title"), Text: t.S("error.generic"), Back: "/", BackText: t.S("token.home")}
		if apiErr.RetryAfter > 0 {
			c.Set(fiber.HeaderRetryAfter, retryAfterSeconds(apiErr.RetryAfter))
		}
		return s.render(c, apiErr.Status, "message", p)
	}
}

// notFoundPage answers an unknown campaign or a draft.
func (s *server) notFoundPage(c *fiber.Ctx, t *web.T) error {
	return s.render(c, fiber.StatusNotFound, "notfound", s.page(c, t, "not-found", t.S("notfound.title")))
}

func (s *server) homePage(c *fiber.Ctx) error {
	t := s.pageLang(c)
	cs, err := s.Store.PublicCampaigns(c.UserContext())
	if err != nil {
		return err
	}
	counts, err := s.Store.SignatureCounts(c.UserContext())
	if err != nil {
		return err
	}
	body := web.HomeBody{}
	for _, camp := range cs {
		v := summarizeIn(camp, t.Lang)
		body.Campaigns = append(body.Campaigns, web.Campaign{Slug: v.Slug, Title: v.Title, Summary: v.Summary,
			Language: v.Language, Status: v.Status, Goal: v.Goal, SignatureCount: counts[camp.ID]})
	}
	p := s.page(c, t, "home", t.S("list.title"))
	p.Canonical, p.Body = s.link("/"), body
	return s.render(c, fiber.StatusOK, "home", p)
}

func (s *server) privacyPage(c *fiber.Ctx) error {
	t := s.pageLang(c)
	p := s.page(c, t, "privacy", t.S("privacy.title"))
	p.Body, p.Description = web.PrivacySections, t.S("privacy.intro")
	return s.render(c, fiber.StatusOK, "privacy", p)
}

// webCampaign is a campaign as its page shows it, in the reader's language
// where it has a complete translation in it (as the API serves it to the
// SPA's localizeCampaign).
func webCampaign(camp store.Campaign, lang string) web.Campaign {
	v := summarize(camp)
	w := web.Campaign{Slug: v.Slug, Title: v.Title, Summary: v.Summary, Language: v.Language, Status: v.Status,
		Goal: v.Goal, ClosesAt: v.ClosesAt, BodyHTML: template.HTML(camp.BodyHTML), //nolint:gosec // sanitised on write
		Open: takesSignatures(camp, time.Now())}
	for _, call := range camp.Calls {
		w.Calls = append(w.Calls, web.Call{ID: call.ID, Audiences: call.Audiences, Text: call.Text})
	}
	if tr, ok := camp.ServedIn(lang); ok { // complete: every part is there
		w.Language, w.Title, w.Summary = lang, tr.Title, tr.Summary
		w.BodyHTML = template.HTML(tr.BodyHTML) //nolint:gosec // sanitised on write
		for i := range w.Calls {
			w.Calls[i].Text = tr.Calls[i]
		}
	}
	return w
}

// takesSignatures mirrors the SPA's lib/campaignStatus.js.
func takesSignatures(camp store.Campaign, now time.Time) bool {
	return camp.Status == store.StatusOpen && (camp.OpensAt == nil || !camp.OpensAt.After(now)) &&
		(camp.ClosesAt == nil || !camp.ClosesAt.Before(now))
}

// pageCounts is what a campaign page shows beside the campaign itself,
// cached as the JSON API caches its counts (at most CacheTTL stale). The
// rendered page is not cached: each carries a form token of its own.
type pageCounts struct {
	signatures, endorsements int64
	endorsers                []store.Endorsement
}

func (s *server) campaignCounts(c *fiber.Ctx, camp store.Campaign) (pageCounts, error) {
	v, err := s.cache.get("page:"+camp.Slug, func() (any, error) {
		var p pageCounts
		var err error
		if p.signatures, err = s.Store.SignatureCount(c.UserContext(), camp.ID); err != nil {
			return nil, err
		}
		if p.endorsements, err = s.Store.EndorsementCount(c.UserContext(), camp.ID); err != nil {
			return nil, err
		}
		if p.endorsements > 0 {
			if p.endorsers, err = s.Store.PublicEndorsements(c.UserContext(), camp.ID); err != nil {
				return nil, err
			}
		}
		return p, nil
	})
	if err != nil {
		return pageCounts{}, err
	}
	return v.(pageCounts), nil
}

// campaignBody gathers what the campaign page shows; sign is the sign
// form's state.
func (s *server) campaignBody(c *fiber.Ctx, t *web.T, camp store.Campaign, sign web.Form) (web.CampaignBody, error) {
	w := webCampaign(camp, t.Lang)
	counts, err := s.campaignCounts(c, camp)
	if err != nil {
		return web.CampaignBody{}, err
	}
	w.SignatureCount, w.EndorsementCount = counts.signatures, counts.endorsements
	body := web.CampaignBody{Campaign: w, Sign: sign, Countries: t.CountryNames()}
	if ref := c.Query("ref"); refPattern.MatchString(ref) {
		body.Ref = ref
	}
	if c.Method() == fiber.MethodPost && refPattern.MatchString(c.FormValue("ref")) {
		body.Ref = c.FormValue("ref")
	}
	for _, e := range counts.endorsers {
		body.Endorsers = append(body.Endorsers, webEndorser(e, w.Calls))
	}
	return body, nil
}

func webEndorser(e store.Endorsement, calls []web.Call) web.Endorser {
	out := web.Endorser{Name: e.DisplayName, OrgType: e.OrgType, Country: e.Country, Statement: e.Statement, AllCalls: e.AllCalls}
	if u, err := url.Parse(strings.TrimSpace(e.Website)); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		path := u.EscapedPath()
		if path == "/" {
			path = ""
		}
		out.WebsiteHref, out.WebsiteLabel = u.String(), strings.TrimPrefix(u.Host, "www.")+path
	}
	if !e.AllCalls {
		for _, call := range calls {
			for _, id := range e.CallIDs {
				if call.ID == id {
					out.Calls = append(out.Calls, call)
				}
			}
		}
	}
	return out
}

// campaignPage is /c/{slug}: the statement, its calls, the count, the sign
// form and the endorsing organisations.
func (s *server) campaignPage(c *fiber.Ctx) error {
	t := s.pageLang(c)
	camp, err := s.publicCampaign(c)
	if err != nil {
		return s.pageError(c, t, err)
	}
	body, err := s.campaignBody(c, t, camp, s.blankForm("sign:"+camp.Slug))
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "campaign", s.campaignFrame(c, t, body))
}

// campaignFrame is the campaign page's frame with its link preview: its
// own title, summary and canonical address in the page's language.
func (s *server) campaignFrame(c *fiber.Ctx, t *web.T, body web.CampaignBody) web.Page {
	w := body.Campaign
	p := s.page(c, t, "campaign", w.Title)
	p.Ref, p.Body = body.Ref, body
	p.Description = clip(w.Summary, 300)
	base := s.link("/c/" + w.Slug)
	p.Canonical = base + "?lang=" + t.Lang
	for _, l := range web.Languages {
		p.Alternates = append(p.Alternates, web.Alternate{Lang: l.Code, URL: base + "?lang=" + l.Code})
	}
	p.Alternates = append(p.Alternates, web.Alternate{Lang: "x-default", URL: base})
	p.Preview = &web.Preview{Type: "article", Title: w.Title, Summary: p.Description, URL: p.Canonical,
		Locale: web.Locales[t.Lang], SiteName: t.S("site.name"),
		Image: base + "/share.png?lang=" + t.Lang, ImageAlt: w.Title}
	return p
}

// shareImage is /c/{slug}/share.png: the campaign's link-preview card in
// a language, drawn here (web.ShareImage), at most CacheTTL stale.
func (s *server) shareImage(c *fiber.Ctx) error {
	t := s.Pages.Translator(web.Pick(c.Query("lang"), "", ""))
	camp, err := s.publicCampaign(c)
	if err != nil {
		return err
	}
	png, err := s.cache.get("share:"+camp.Slug+":"+t.Lang, func() (any, error) {
		counts, err := s.campaignCounts(c, camp)
		if err != nil {
			return nil, err
		}
		w := webCampaign(camp, t.Lang)
		line := t.N("campaign.signatures", counts.signatures)
		if w.Goal > 0 {
			line += " · " + t.S("campaign.goal", "goal", t.Num(w.Goal))
		}
		return web.ShareImage(w.Title, line, t.S("site.name"))
	})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	c.Type("png")
	return c.Send(png.([]byte))
}

// clip shortens text to at most n characters at a word boundary.
func clip(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	r := []rune(text)[:n-1]
	if i := strings.LastIndex(string(r), " "); i > n/2 {
		return string(r)[:i] + "…"
	}
	return string(r) + "…"
}

// pageError answers a page whose campaign is unknown with the not-found
// page, and anything else as the error handler does.
func (s *server) pageError(c *fiber.Ctx, t *web.T, err error) error {
	var e *Error
	if errors.As(err, &e) && e.Status == fiber.StatusNotFound {
		return s.notFoundPage(c, t)
	}
	return err
}

// blankForm is a form's first state, with a fresh token.
func (s *server) blankForm(purpose string) web.Form {
	return web.Form{Values: map[string]string{}, Checked: map[string]bool{}, Multi: map[string][]string{},
		Errors: map[string]string{}, Token: s.Forms.Issue(purpose)}
}
