package api

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bnp/undersigned/server/internal/markdown"
	"github.com/bnp/undersigned/server/internal/store"
)

// campaignInput is the body of POST (all required fields) and PATCH (any
// subset) of a campaign.
type campaignInput struct {
	Slug          *string                      `json:"slug"`
	Title         *string                      `json:"title"`
	Summary       *string                      `json:"summary"`
	Body          *string                      `json:"body"`
	Language      *string                      `json:"language"`
	Goal          *int64                       `json:"goal"`
	Status        *string                      `json:"status"`
	OpensAt       optionalTime                 `json:"opens_at"`
	ClosesAt      optionalTime                 `json:"closes_at"`
	RetentionDays *int                         `json:"retention_days"`
	Calls         *[]callInput                 `json:"calls"`
	Translations  *map[string]translationInput `json:"translations"`
	// ContactEmail and SenderName ("" clears) name who runs the campaign
	// and where officials can write back.
	ContactEmail *string `json:"contact_email"`
	SenderName   *string `json:"sender_name"`
}

type callInput struct {
	ID        string   `json:"id"`
	Audiences []string `json:"audiences"`
	Text      string   `json:"text"`
	// EndorsementCount is read-only and ignored: a call may be sent back
	// as the campaign's answer shows it.
	EndorsementCount *int64 `json:"endorsement_count"`
}

type translationInput struct {
	Title   string   `json:"title"`
	Summary string   `json:"summary"`
	Body    string   `json:"body"`
	Calls   []string `json:"calls"`
}

// optionalTime tells an absent field (leave as is) from null (clear it).
// The text is parsed in validation, so that a bad time is a field error.
type optionalTime struct {
	Set  bool
	Null bool
	Raw  string
}

func (o *optionalTime) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Raw)
}

var (
	slugPattern     = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	languagePattern = regexp.MustCompile(`^[a-z]{2,3}(-[A-Z]{2})?$`)
	audienceNames   = []string{"belarus", "eu", "us", "intl"}
)

// reservedSlugs are words the SPA's own addresses use under a campaign's
// place (/admin/campaigns/new opens the editor for a new campaign).
var reservedSlugs = map[string]bool{"new": true, "admin": true, "api": true, "embed": true}

// Limits of a campaign's fields.
const (
	maxTitle    = 300
	maxSummary  = 1000
	maxBody     = 50000
	maxCallText = 2000
	maxCalls    = 50
	maxGoal     = 1_000_000_000
)

// applyCampaign validates in and writes it onto c. creating requires the
// fields a new campaign cannot do without.
func applyCampaign(c *store.Campaign, in campaignInput, creating bool) error {
	f := fieldErrors{}
	if creating {
		for name, missing := range map[string]bool{"slug": in.Slug == nil, "title": in.Title == nil} {
			if missing {
				f.set(name, errRequired())
			}
		}
	}
	if in.Slug != nil {
		c.Slug = strings.TrimSpace(*in.Slug)
		if n := len(c.Slug); n < 3 || n > 80 || !slugPattern.MatchString(c.Slug) {
			f.set("slug", fe(codeInvalidSlug, "must be 3 to 80 lower-case letters, digits and single hyphens", 3, 80))
		} else if reservedSlugs[c.Slug] {
			f.set("slug", fe(codeReservedSlug, "is a word the site's own addresses use; choose another"))
		}
	}
	text(f, "title", in.Title, &c.Title, 1, maxTitle)
	text(f, "summary", in.Summary, &c.Summary, 0, maxSummary)
	if text(f, "body", in.Body, &c.Body, 0, maxBody) {
		c.BodyHTML = markdown.ToHTML(c.Body)
	}
	if in.Language != nil {
		c.Language = *in.Language
		if !languagePattern.MatchString(c.Language) {
			f.set("language", errLanguage())
		}
	}
	if in.Goal != nil {
		c.Goal = *in.Goal
		if c.Goal < 0 || c.Goal > maxGoal {
			f.set("goal", errRange(0, maxGoal))
		}
	}
	if in.Status != nil {
		applyStatus(f, c, *in.Status)
	}
	applyTime(f, "opens_at", in.OpensAt, &c.OpensAt)
	applyTime(f, "closes_at", in.ClosesAt, &c.ClosesAt)
	if c.OpensAt != nil && c.ClosesAt != nil && !c.ClosesAt.After(*c.OpensAt) {
		f.set("closes_at", fe(codeAfter, "must be after opens_at", "opens_at"))
	}
	applyOrganiser(f, in, c)
	if in.RetentionDays != nil {
		c.RetentionDays = *in.RetentionDays
		if c.RetentionDays < 1 || c.RetentionDays > 3650 {
			f.set("retention_days", errRange(1, 3650))
		}
	}
	if in.Calls != nil {
		c.Calls = applyCalls(f, *in.Calls)
	}
	if in.Translations != nil {
		c.Translations = applyTranslations(f, c, *in.Translations)
	} else if in.Language != nil && slices.ContainsFunc(c.Translations, func(t store.Translation) bool { return t.Language == c.Language }) {
		f.set("language", fe(codeHasTranslation, "has a translation already: send the translations without it"))
	} else if in.Calls != nil && len(c.Translations) > 0 {
		for _, tr := range c.Translations {
			if len(tr.Calls) > 0 && len(tr.Calls) != len(c.Calls) {
				f.set("translations", fe(codeTranslationsStale, "translated calls no longer match the calls: send the translations too"))
			}
		}
	}
	return f.err()
}

// text validates an optional string field and stores it trimmed; it
// reports whether the field was given.
func text(f fieldErrors, name string, in *string, dst *string, minLen, maxLen int) bool {
	if in == nil {
		return false
	}
	*dst = strings.TrimSpace(*in)
	n := utf8.RuneCountInString(*dst)
	switch {
	case !utf8.ValidString(*dst):
		f.set(name, fe(codeInvalidUTF8, "must be valid UTF-8 text"))
	case strings.ContainsFunc(*dst, isStrayControl):
		f.set(name, fe(codeControlCharacters, "must not contain control characters"))
	case n < minLen:
		f.set(name, errRequired())
	case n > maxLen:
		f.set(name, errTooLong(maxLen))
	}
	return true
}

// isStrayControl reports a control character other than the tab and line
// breaks that text and Markdown may hold.
func isStrayControl(r rune) bool {
	return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
}

func applyStatus(f fieldErrors, c *store.Campaign, status string) {
	switch status {
	case store.StatusDraft, store.StatusOpen:
		c.ClosedAt = nil
	case store.StatusClosed:
		if c.Status != store.StatusClosed || c.ClosedAt == nil {
			t := time.Now().UTC().Truncate(time.Millisecond)
			c.ClosedAt = &t
		}
	default:
		f.set("status", errOneOf("draft", "open", "closed"))
		return
	}
	c.Status = status
}

func applyTime(f fieldErrors, name string, in optionalTime, dst **time.Time) {
	if !in.Set {
		return
	}
	if in.Null {
		*dst = nil
		return
	}
	t, err := time.Parse(time.RFC3339, in.Raw)
	if err != nil {
		f.set(name, errTimestamp())
		return
	}
	t = t.UTC().Truncate(time.Millisecond)
	if y := t.Year(); y < 1 || y > 9999 {
		// A time that leaves years 1–9999 in UTC cannot be written back as
		// RFC 3339: stored, it would break every list that shows it.
		f.add(name, "must be a time between the years 1 and 9999")
		return
	}
	*dst = &t
}

func applyCalls(f fieldErrors, in []callInput) []store.Call {
	if len(in) > maxCalls {
		f.set("calls", fe(codeTooMany, fmt.Sprintf("at most %d calls", maxCalls), maxCalls))
		return nil
	}
	calls := make([]store.Call, 0, len(in))
	seenIDs := map[string]bool{}
	for i, call := range in {
		name := fmt.Sprintf("calls[%d]", i)
		txt := strings.TrimSpace(call.Text)
		if txt == "" || utf8.RuneCountInString(txt) > maxCallText || strings.ContainsFunc(txt, isStrayControl) {
			f.set(name+".text", errLength(1, maxCallText))
		}
		if call.ID != "" && seenIDs[call.ID] {
			f.set(name+".id", fe(codeDuplicate, "is given to another call too"))
		}
		seenIDs[call.ID] = true
		if len(call.Audiences) == 0 {
			f.set(name+".audiences", fe(codeAudienceRequired, "must name at least one audience: belarus, eu, us or intl"))
		}
		seen := map[string]bool{}
		for _, a := range call.Audiences {
			if !slices.Contains(audienceNames, a) || seen[a] {
				f.set(name+".audiences", fe(codeAudienceDistinct, "must be distinct audiences among belarus, eu, us and intl"))
			}
			seen[a] = true
		}
		calls = append(calls, store.Call{ID: call.ID, Audiences: call.Audiences, Text: txt})
	}
	return calls
}

func applyTranslations(f fieldErrors, c *store.Campaign, in map[string]translationInput) []store.Translation {
	out := make([]store.Translation, 0, len(in))
	for lang, tr := range in {
		name := "translations." + lang
		if !languagePattern.MatchString(lang) || lang == c.Language {
			f.set(name, fe(codeTranslationLang, "must be keyed by a language code other than the campaign's own"))
			continue
		}
		t := store.Translation{Language: lang}
		text(f, name+".title", &tr.Title, &t.Title, 1, maxTitle)
		text(f, name+".summary", &tr.Summary, &t.Summary, 0, maxSummary)
		text(f, name+".body", &tr.Body, &t.Body, 0, maxBody)
		t.BodyHTML = markdown.ToHTML(t.Body)
		if len(tr.Calls) > 0 && len(tr.Calls) != len(c.Calls) {
			f.set(name+".calls", fe(codeTranslateAllCalls, fmt.Sprintf("must translate all %d calls, in order, or none", len(c.Calls)), len(c.Calls)))
		}
		for i, call := range tr.Calls {
			tr.Calls[i] = strings.TrimSpace(call)
			if tr.Calls[i] == "" || utf8.RuneCountInString(tr.Calls[i]) > maxCallText || strings.ContainsFunc(tr.Calls[i], isStrayControl) {
				f.set(fmt.Sprintf("%s.calls[%d]", name, i), errLength(1, maxCallText))
			}
		}
		t.Calls = tr.Calls
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b store.Translation) int { return strings.Compare(a.Language, b.Language) })
	return out
}

// applyOrganiser sets who runs the campaign: an empty value falls back to
// the site's CONTACT_EMAIL and MAIL_FROM name.
func applyOrganiser(f fieldErrors, in campaignInput, c *store.Campaign) {
	if in.ContactEmail != nil {
		email := strings.ToLower(strings.TrimSpace(*in.ContactEmail))
		c.ContactEmail = nil
		if email != "" {
			if !plainAddress(email) {
				f.set("contact_email", errEmail())
			}
			c.ContactEmail = &email
		}
	}
	if in.SenderName != nil {
		name := strings.Join(strings.Fields(*in.SenderName), " ")
		c.SenderName = nil
		if name != "" {
			if utf8.RuneCountInString(name) > maxSenderName || !printable(name, false) {
				f.set("sender_name", errTooLong(maxSenderName))
			}
			c.SenderName = &name
		}
	}
}

const maxSenderName = 200
