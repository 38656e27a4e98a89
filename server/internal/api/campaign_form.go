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
				f.add(name, "is required")
			}
		}
	}
	if in.Slug != nil {
		c.Slug = strings.TrimSpace(*in.Slug)
		if n := len(c.Slug); n < 3 || n > 80 || !slugPattern.MatchString(c.Slug) {
			f.add("slug", "must be 3 to 80 lower-case letters, digits and single hyphens")
		} else if reservedSlugs[c.Slug] {
			f.add("slug", "is a word the site's own addresses use; choose another")
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
			f.add("language", "must be a language code such as en, be or ru")
		}
	}
	if in.Goal != nil {
		c.Goal = *in.Goal
		if c.Goal < 0 || c.Goal > maxGoal {
			f.add("goal", fmt.Sprintf("must be from 0 to %d", maxGoal))
		}
	}
	if in.Status != nil {
		applyStatus(f, c, *in.Status)
	}
	applyTime(f, "opens_at", in.OpensAt, &c.OpensAt)
	applyTime(f, "closes_at", in.ClosesAt, &c.ClosesAt)
	if c.OpensAt != nil && c.ClosesAt != nil && !c.ClosesAt.After(*c.OpensAt) {
		f.add("closes_at", "must be after opens_at")
	}
	if in.RetentionDays != nil {
		c.RetentionDays = *in.RetentionDays
		if c.RetentionDays < 1 || c.RetentionDays > 3650 {
			f.add("retention_days", "must be from 1 to 3650")
		}
	}
	if in.Calls != nil {
		c.Calls = applyCalls(f, *in.Calls)
	}
	if in.Translations != nil {
		c.Translations = applyTranslations(f, c, *in.Translations)
	} else if in.Language != nil && slices.ContainsFunc(c.Translations, func(t store.Translation) bool { return t.Language == c.Language }) {
		f.add("language", "has a translation already: send the translations without it")
	} else if in.Calls != nil && len(c.Translations) > 0 {
		for _, tr := range c.Translations {
			if len(tr.Calls) > 0 && len(tr.Calls) != len(c.Calls) {
				f.add("translations", "translated calls no longer match the calls: send the translations too")
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
		f.add(name, "must be valid UTF-8 text")
	case strings.ContainsFunc(*dst, isStrayControl):
		f.add(name, "must not contain control characters")
	case n < minLen:
		f.add(name, "is required")
	case n > maxLen:
		f.add(name, fmt.Sprintf("must be at most %d characters", maxLen))
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
		f.add("status", "must be draft, open or closed")
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
		f.add(name, "must be a time in RFC 3339 form, such as 2026-03-25T09:00:00Z")
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
		f.add("calls", fmt.Sprintf("at most %d calls", maxCalls))
		return nil
	}
	calls := make([]store.Call, 0, len(in))
	seenIDs := map[string]bool{}
	for i, call := range in {
		name := fmt.Sprintf("calls[%d]", i)
		txt := strings.TrimSpace(call.Text)
		if txt == "" || utf8.RuneCountInString(txt) > maxCallText || strings.ContainsFunc(txt, isStrayControl) {
			f.add(name+".text", fmt.Sprintf("must be 1 to %d characters of text", maxCallText))
		}
		if call.ID != "" && seenIDs[call.ID] {
			f.add(name+".id", "is given to another call too")
		}
		seenIDs[call.ID] = true
		if len(call.Audiences) == 0 {
			f.add(name+".audiences", "must name at least one audience: belarus, eu, us or intl")
		}
		seen := map[string]bool{}
		for _, a := range call.Audiences {
			if !slices.Contains(audienceNames, a) || seen[a] {
				f.add(name+".audiences", "must be distinct audiences among belarus, eu, us and intl")
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
			f.add(name, "must be keyed by a language code other than the campaign's own")
			continue
		}
		t := store.Translation{Language: lang}
		text(f, name+".title", &tr.Title, &t.Title, 1, maxTitle)
		text(f, name+".summary", &tr.Summary, &t.Summary, 0, maxSummary)
		text(f, name+".body", &tr.Body, &t.Body, 0, maxBody)
		t.BodyHTML = markdown.ToHTML(t.Body)
		if len(tr.Calls) > 0 && len(tr.Calls) != len(c.Calls) {
			f.add(name+".calls", fmt.Sprintf("must translate all %d calls, in order, or none", len(c.Calls)))
		}
		for i, call := range tr.Calls {
			tr.Calls[i] = strings.TrimSpace(call)
			if tr.Calls[i] == "" || utf8.RuneCountInString(tr.Calls[i]) > maxCallText || strings.ContainsFunc(tr.Calls[i], isStrayControl) {
				f.add(fmt.Sprintf("%s.calls[%d]", name, i), fmt.Sprintf("must be 1 to %d characters of text", maxCallText))
			}
		}
		t.Calls = tr.Calls
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b store.Translation) int { return strings.Compare(a.Language, b.Language) })
	return out
}
