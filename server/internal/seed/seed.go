// Package seed loads the demo campaign, the Belarusian National Platform's
// statement of September 2025, so that a fresh installation has a real
// campaign to show.
package seed

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bnp/undersigned/server/internal/markdown"
	"github.com/bnp/undersigned/server/internal/store"
)

//go:embed data
var data embed.FS

type demo struct {
	Slug     string `json:"slug"`
	Title    string `json:"title"`
	Summary  string `json:"summary"`
	Language string `json:"language"`
	Goal     int64  `json:"goal"`
	Calls    []struct {
		Audiences []string `json:"audiences"`
		Text      string   `json:"text"`
	} `json:"calls"`
	BodyFile string `json:"body_markdown_file"`
	// Translations are complete (title, summary, body, every call) or
	// they would not be served; TestDemoTranslationsAreComplete checks.
	Translations map[string]struct {
		Title    string   `json:"title"`
		Summary  string   `json:"summary"`
		BodyFile string   `json:"body_markdown_file"`
		Calls    []string `json:"calls"`
	} `json:"translations"`
}

// Demo returns the demo campaign, open, ready to be stored.
func Demo() (*store.Campaign, error) {
	raw, err := data.ReadFile("data/bnp-statement-2025-09.json")
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	var d demo
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	body, err := data.ReadFile("data/" + d.BodyFile)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	md := withoutTitle(string(body))
	c := &store.Campaign{
		Slug: d.Slug, Title: d.Title, Summary: d.Summary, Language: d.Language, Goal: d.Goal,
		Body: md, BodyHTML: markdown.ToHTML(md), Status: store.StatusOpen, RetentionDays: 90,
	}
	for _, call := range d.Calls {
		c.Calls = append(c.Calls, store.Call{Audiences: call.Audiences, Text: call.Text})
	}
	langs := make([]string, 0, len(d.Translations))
	for lang := range d.Translations {
		langs = append(langs, lang)
	}
	slices.Sort(langs)
	for _, lang := range langs {
		tr := d.Translations[lang]
		body, err := data.ReadFile("data/" + tr.BodyFile)
		if err != nil {
			return nil, fmt.Errorf("seed: %s: %w", lang, err)
		}
		md := withoutTitle(string(body))
		c.Translations = append(c.Translations, store.Translation{Language: lang, Title: tr.Title, Summary: tr.Summary,
			Body: md, BodyHTML: markdown.ToHTML(md), Calls: tr.Calls})
	}
	return c, nil
}

// withoutTitle drops the document's leading "# Title" line: the page shows
// the title from its own field.
func withoutTitle(md string) string {
	first, rest, found := strings.Cut(md, "\n")
	if found && strings.HasPrefix(first, "# ") {
		return strings.TrimLeft(rest, "\n")
	}
	return md
}

// LoadIfEmpty stores the demo campaign when the database has no campaign
// and seeding is not turned off. want is SEED_DEMO (nil: unset). It reports
// whether it loaded the campaign.
func LoadIfEmpty(ctx context.Context, st *store.Store, want *bool) (bool, error) {
	if want != nil && !*want {
		return false, nil
	}
	n, err := st.CountCampaigns(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	c, err := Demo()
	if err != nil {
		return false, err
	}
	audit := &store.AuditEntry{ActorEmail: "system", Action: "campaign.seed"}
	if err := st.CreateCampaign(ctx, c, audit); errors.Is(err, store.ErrConflict) {
		return false, nil // another instance starting at the same moment loaded it
	} else if err != nil {
		return false, fmt.Errorf("seed: %w", err)
	}
	return true, nil
}
