package api

import (
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bnp/undersigned/server/internal/countries"
	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
)

// endorseInput is the body of POST /campaigns/{slug}/endorsements.
type endorseInput struct {
	Organization string `json:"organization"`
	OrgType      string `json:"org_type"`
	Country      string `json:"country"`
	Website      string `json:"website"`
	ContactName  string `json:"contact_name"`
	ContactEmail string `json:"contact_email"`
	Statement    string `json:"statement"`
	// Calls omitted (or null) is the whole statement.
	Calls        *[]string `json:"calls"`
	Confidential bool      `json:"confidential"`
	Pow          string    `json:"pow"`
	// Language is the page's language: the emails are written in it.
	Language string `json:"language"`
}

// endorseForm is a valid endorsing request, but for its calls, which are
// checked against the campaign.
type endorseForm struct {
	endorseInput
	contactEmail string // as typed, trimmed and lower-cased: where mail goes
	websiteHost  string
	calls        []string
}

const (
	minOrganization = 2
	maxOrganization = 200
	maxWebsite      = 300
	maxStatement    = 1000
	maxReason       = 500
)

// validate checks every field and reports each failure by name.
func (in endorseInput) validate() (endorseForm, error) {
	f := fieldErrors{}
	form := endorseForm{endorseInput: in}
	checkLanguage(f, in.Language)
	form.Organization = strings.Join(strings.Fields(in.Organization), " ")
	if !validOrganization(form.Organization) {
		f.set("organization", errLength(2, 200))
	}
	if !slices.Contains(store.OrgTypes, in.OrgType) {
		f.set("org_type", errOneOf(store.OrgTypes...))
	}
	form.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	if !countries.Valid(form.Country) {
		f.set("country", errCountry())
	}
	form.Website = strings.TrimSpace(in.Website)
	if form.Website != "" {
		host, ok := websiteHost(form.Website)
		if !ok {
			f.set("website", fe(codeInvalidURL, "must be a web address starting with http:// or https://, at most 300 characters", 300))
		}
		form.websiteHost = host
	}
	form.ContactName = strings.Join(strings.Fields(in.ContactName), " ")
	if n := utf8.RuneCountInString(form.ContactName); n == 0 || n > maxName || !printable(form.ContactName, false) {
		f.set("contact_name", errLength(1, 100))
	}
	form.contactEmail = strings.ToLower(strings.TrimSpace(in.ContactEmail))
	if _, _, err := privacy.CanonicalEmail(form.contactEmail); err != nil {
		f.set("contact_email", errEmail())
	}
	form.Statement = strings.TrimSpace(in.Statement)
	if utf8.RuneCountInString(form.Statement) > maxStatement || !printable(form.Statement, true) {
		f.set("statement", errTooLong(1000))
	}
	if in.Calls != nil {
		form.calls = *in.Calls
		if len(form.calls) == 0 {
			f.set("calls", fe(codeCallsRequired, "must list at least one call, or be left out to endorse the whole statement"))
		}
		seen := map[string]bool{}
		for _, id := range form.calls {
			if id == "" || len(id) > 64 || seen[id] {
				f.set("calls", fe(codeCallsUnknown, "must list distinct call ids of this campaign"))
			}
			seen[id] = true
		}
	}
	return form, f.err()
}

func validOrganization(name string) bool {
	n := utf8.RuneCountInString(name)
	return n >= minOrganization && n <= maxOrganization && printable(name, false)
}

// websiteHost checks an organisation's web address and returns its host
// without "www.", by which duplicates are found.
func websiteHost(raw string) (string, bool) {
	if len(raw) > maxWebsite || !printable(raw, false) || strings.ContainsAny(raw, " \\") {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Opaque != "" {
		return "", false
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" || strings.HasPrefix(host, ".") {
		return "", false
	}
	return strings.TrimPrefix(host, "www."), true
}

// checkCalls refuses calls that are not this campaign's.
func (form endorseForm) checkCalls(camp store.Campaign) error {
	for _, id := range form.calls {
		if !slices.ContainsFunc(camp.Calls, func(c store.Call) bool { return c.ID == id }) {
			return errField("calls", fe(codeCallsUnknown, "must list distinct call ids of this campaign"))
		}
	}
	return nil
}
