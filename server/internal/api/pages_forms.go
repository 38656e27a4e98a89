package api

import (
	"errors"
	"strings"
	"time"

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
// specific's where it names the field, "country.unknown" for a country
// typed but not found, "required" where the field was left empty. Fields a
// person cannot fix (ref, pow) become the whole-form message. It reports
// false when err is not a validation failure.
func fieldKeys(err error, prefix string, f *web.Form, specific map[string]string) bool {
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.Status != fiber.StatusUnprocessableEntity {
		return false
	}
	empty := func(field string) bool { return strings.TrimSpace(f.Values[field]) == "" }
	if !empty("country") {
		specific["country"] = prefix + ".error.country.unknown"
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

// plainForm names a no-JS form's messages: prefix is its SPA's ("sign" or
// "endorse", see fieldKeys), specific its fields' own keys, closed what it
// says when the campaign no longer takes it, tooMany what it says when the
// client is over a limit.
type plainForm struct {
	prefix   string
	specific map[string]string
	closed   string
	tooMany  func(f *web.Form, wait time.Duration)
}

// checkPlainForm runs, in the API's order, what both no-JS forms check once
// their input is read: its fields (invalid: the validation's error), the
// campaign still taking them, the form gate (its token and rules, see
// formGate). A refusal is put on f and its status returned to show the form
// again with; 0 goes on, with the client's hash for the intake.
func (s *server) checkPlainForm(c *fiber.Ctx, camp store.Campaign, f *web.Form, k plainForm, invalid error, rules ...ratelimitRule) (string, int, error) {
	if invalid != nil {
		if !fieldKeys(invalid, k.prefix, f, k.specific) {
			return "", 0, invalid
		}
		return "", fiber.StatusUnprocessableEntity, nil
	}
	if !takesSignatures(camp, timeNow()) {
		f.Message = k.closed
		return "", fiber.StatusConflict, nil
	}
	client, refused, err := s.formGate(c, k.prefix+":"+camp.Slug, rules...)
	if err != nil || refused == nil {
		return client, 0, err
	}
	if refused.status == fiber.StatusTooManyRequests {
		k.tooMany(f, refused.wait)
	} else {
		f.Message = refused.message
	}
	return "", refused.status, nil
}

// signForm posts a signature from the campaign page without JavaScript.
// It validates as the API does (signInput.validate) and signs through the
// same intakeSignature; instead of the proof of work, a form token at
// least formMinAge old and limits per client (pages_guard.go).
func (s *server) signFormPost(c *fiber.Ctx) error {
	t := s.pageLang(c)
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
	form, invalid := in.validate()
	client, status, err := s.checkPlainForm(c, camp, &f, plainForm{prefix: "sign",
		specific: map[string]string{"consent": "sign.error.consent"}, closed: "sign.error.conflict",
		tooMany: func(f *web.Form, wait time.Duration) { f.MessageText = t.N("sign.error.rate", minutesCeil(wait)) },
	}, invalid, signPerClient, signFormCeiling)
	if err != nil {
		return err
	}
	if status != 0 {
		return again(status)
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
	form, invalid := in.validate()
	if invalid == nil {
		invalid = form.checkCalls(camp)
	}
	client, status, err := s.checkPlainForm(c, camp, &f, plainForm{prefix: "endorse",
		specific: map[string]string{"org_type": "endorse.error.org_type", "calls": "endorse.error.calls"}, closed: "endorse.closed",
		tooMany: func(f *web.Form, _ time.Duration) { f.Message = "endorse.error.rate" },
	}, invalid, endorsePerClient, endorseFormPerClient)
	if err != nil {
		return err
	}
	if status != 0 {
		return again(status)
	}
	if err := s.acceptEndorsement(c, form, camp, client, t.Lang); err != nil {
		return err
	}
	return s.renderEndorse(c, t, camp, web.Form{Done: true, SentTo: form.contactEmail}, fiber.StatusOK)
}
