package api

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/web"
)

// postedForm reads a form post's fields into a web.Form, to show them
// again with its errors.
func postedForm(c *fiber.Ctx, text []string, boxes []string, multi []string) web.Form {
	f := web.Form{Values: map[string]string{}, Checked: map[string]bool{}, Multi: map[string][]string{}, Errors: map[string]string{}}
	for _, name := range text {
		f.Values[name] = c.FormValue(name)
	}
	for _, name := range boxes {
		f.Checked[name] = c.FormValue(name) != ""
	}
	args := c.Request().PostArgs()
	for _, name := range multi {
		for _, v := range args.PeekMulti(name) {
			f.Multi[name] = append(f.Multi[name], string(v))
		}
	}
	return f
}

// fieldKeys turns the API's validation failures into the form's message
// keys: the SPA's own keys for each field (prefix "sign" or "endorse"),
// "required" where the field was left empty. Fields a person cannot fix
// (ref, pow) become the whole-form message.
func fieldKeys(err error, prefix string, f *web.Form, empty func(string) bool, specific map[string]string) bool {
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.Status != fiber.StatusUnprocessableEntity {
		return false
	}
	for field := range apiErr.Fields {
		switch {
		case specific[field] != "":
			f.Errors[field] = specific[field]
		case empty(field) && field != "comment" && field != "statement" && field != "website":
			f.Errors[field] = prefix + ".error." + field + ".required"
		case field == "ref" || field == "pow":
			f.Message = prefix + ".error.generic"
		default:
			f.Errors[field] = prefix + ".error." + field + ".server"
		}
	}
	if f.Message == "" {
		f.Message = prefix + ".error.summary"
	}
	return true
}

// signForm posts a signature from the campaign page without JavaScript.
// It validates as the API does (signInput.validate) and signs through the
// same intakeSignature; instead of the proof of work, a form token at
// least formMinAge old and limits per client (pages_guard.go).
func (s *server) signFormPost(c *fiber.Ctx) error {
	t := s.pageLang(c)
	if err := s.sameSite(c); err != nil {
		return s.crossSitePage(c, t)
	}
	camp, err := s.publicCampaign(c)
	if err != nil {
		return s.pageError(c, t, err)
	}
	f := postedForm(c, []string{"name", "email", "country", "comment", "visibility"}, []string{"updates", "consent"}, nil)
	in := signInput{Name: f.Values["name"], Email: f.Values["email"], Visibility: f.Values["visibility"],
		Country: t.ResolveCountry(f.Values["country"], s.allTranslators()), Updates: f.Checked["updates"],
		Consent: f.Checked["consent"], Ref: c.FormValue("ref")}
	if in.Country == "" {
		in.Country = f.Values["country"]
	}
	if comment := f.Values["comment"]; comment != "" {
		in.Comment = &comment
	}
	again := func(status int) error {
		f.Token = s.Forms.Issue("sign:" + camp.Slug)
		body, err := s.campaignBody(c, t, camp, f)
		if err != nil {
			return err
		}
		return s.render(c, status, "campaign", s.campaignFrame(c, t, body))
	}
	// Past the intake's capacity, as the API does: at once, before any work
	// (the form comes back as typed).
	if s.Intake.Full() {
		c.Set(fiber.HeaderRetryAfter, "1")
		f.Message = "nojs.error.busy"
		return again(fiber.StatusServiceUnavailable)
	}
	form, err := in.validate()
	if err != nil {
		empty := func(field string) bool { return strings.TrimSpace(f.Values[field]) == "" }
		unknown := map[string]string{"consent": "sign.error.consent"}
		if !empty("country") {
			unknown["country"] = "sign.error.country.unknown"
		}
		if !fieldKeys(err, "sign", &f, empty, unknown) {
			return err
		}
		return again(fiber.StatusUnprocessableEntity)
	}
	if !takesSignatures(camp, timeNow()) {
		f.Message = "sign.error.conflict"
		return again(fiber.StatusConflict)
	}
	client, refused, err := s.formGate(c, "sign:"+camp.Slug, signPerClient, signFormCeiling)
	if err != nil {
		return err
	}
	if refused != nil {
		if refused.status == fiber.StatusTooManyRequests {
			f.MessageText = t.N("sign.error.rate", minutesCeil(refused.wait))
		} else {
			f.Message = refused.message
		}
		return again(refused.status)
	}
	flag := ""
	if over, _, err := s.overLimit(c.UserContext(), signFormPerClient, client); err != nil {
		return err
	} else if over {
		flag = "form without JavaScript: over the per-address limit"
	}
	if err := s.intakeSignature(c, form, camp, client, t.Lang, flag); err != nil {
		return err
	}
	done := web.Form{Done: true, SentTo: form.email}
	body, err := s.campaignBody(c, t, camp, done)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "campaign", s.campaignFrame(c, t, body))
}

// allTranslators lets a country typed in another of our languages count.
func (s *server) allTranslators() []*web.T {
	out := make([]*web.T, 0, len(web.Languages))
	for _, l := range web.Languages {
		out = append(out, s.Pages.Translator(l.Code))
	}
	return out
}

// endorsePage is /c/{slug}/endorse: the organisations' form.
func (s *server) endorsePage(c *fiber.Ctx) error {
	t := s.pageLang(c)
	camp, err := s.publicCampaign(c)
	if err != nil {
		return s.pageError(c, t, err)
	}
	return s.renderEndorse(c, t, camp, s.blankForm("endorse:"+camp.Slug), fiber.StatusOK)
}

func (s *server) renderEndorse(c *fiber.Ctx, t *web.T, camp store.Campaign, f web.Form, status int) error {
	p := s.page(c, t, "endorse", t.S("endorse.title"))
	w := webCampaign(camp, t.Lang)
	p.Description = clip(w.Summary, 300)
	p.Body = web.EndorseBody{Campaign: w, Form: f, OrgTypes: store.OrgTypes, Countries: t.CountryNames()}
	return s.render(c, status, "endorse", p)
}

// endorseFormPost posts an endorsement without JavaScript, validated by
// endorseInput.validate and stored by acceptEndorsement, as the API does.
func (s *server) endorseFormPost(c *fiber.Ctx) error {
	t := s.pageLang(c)
	if err := s.sameSite(c); err != nil {
		return s.crossSitePage(c, t)
	}
	camp, err := s.publicCampaign(c)
	if err != nil {
		return s.pageError(c, t, err)
	}
	f := postedForm(c, []string{"organization", "org_type", "country", "website", "contact_name", "contact_email", "statement", "scope"},
		[]string{"confidential"}, []string{"calls"})
	in := endorseInput{Organization: f.Values["organization"], OrgType: f.Values["org_type"],
		Country: t.ResolveCountry(f.Values["country"], s.allTranslators()), Website: f.Values["website"],
		ContactName: f.Values["contact_name"], ContactEmail: f.Values["contact_email"], Statement: f.Values["statement"],
		Confidential: f.Checked["confidential"]}
	if in.Country == "" {
		in.Country = f.Values["country"]
	}
	if f.Values["scope"] == "some" {
		calls := f.Multi["calls"]
		if calls == nil {
			calls = []string{}
		}
		in.Calls = &calls
	}
	// A web address typed without its scheme, as the SPA completes it.
	if w := strings.TrimSpace(in.Website); w != "" && !strings.Contains(w, "://") && strings.Contains(w, ".") {
		in.Website = "https://" + w
	}
	again := func(status int) error {
		f.Token = s.Forms.Issue("endorse:" + camp.Slug)
		return s.renderEndorse(c, t, camp, f, status)
	}
	form, err := in.validate()
	if err == nil {
		err = form.checkCalls(camp)
	}
	if err != nil {
		empty := func(field string) bool { return strings.TrimSpace(f.Values[field]) == "" }
		specific := map[string]string{"org_type": "endorse.error.org_type", "calls": "endorse.error.calls"}
		if !empty("country") {
			specific["country"] = "endorse.error.country.unknown"
		}
		if !fieldKeys(err, "endorse", &f, empty, specific) {
			return err
		}
		return again(fiber.StatusUnprocessableEntity)
	}
	if !takesSignatures(camp, timeNow()) {
		f.Message = "endorse.closed"
		return again(fiber.StatusConflict)
	}
	client, refused, err := s.formGate(c, "endorse:"+camp.Slug, endorsePerClient, endorseFormPerClient)
	if err != nil {
		return err
	}
	if refused != nil {
		f.Message = refused.message
		if refused.status == fiber.StatusTooManyRequests {
			f.Message = "endorse.error.rate"
		}
		return again(refused.status)
	}
	if err := s.acceptEndorsement(c, form, camp, client, t.Lang); err != nil {
		return err
	}
	return s.renderEndorse(c, t, camp, web.Form{Done: true, SentTo: form.contactEmail}, fiber.StatusOK)
}
