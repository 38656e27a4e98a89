// Package digest composes what a digest says: for each campaign, the
// confirmed signatures in total and since the last digest to the region,
// the top countries (small cells folded), the organisations approved since
// then (confidential ones marked), and the calls addressed to the region,
// in every language the campaign has. The composition is taken once when
// sending starts, so every official of a region reads the same numbers.
package digest

import (
	"context"
	"encoding/json"
	htmltemplate "html/template"
	"slices"
	"time"

	"github.com/bnp/undersigned/server/internal/markdown"
	"github.com/bnp/undersigned/server/internal/store"
)

// Content is a digest's composition, language by language.
type Content struct {
	Region     string     `json:"region"`
	Subject    string     `json:"subject"`
	Intro      string     `json:"intro"`
	IntroHTML  string     `json:"intro_html"`
	ComposedAt time.Time  `json:"composed_at"`
	Campaigns  []Campaign `json:"campaigns"`
}

// Campaign is one campaign's part of a digest.
type Campaign struct {
	Slug         string               `json:"slug"`
	Link         string               `json:"link"`
	Language     string               `json:"language"`
	Titles       map[string]string    `json:"titles"`
	Calls        map[string][]string  `json:"calls"`
	Total        int64                `json:"total"`
	Since        int64                `json:"since"`
	SinceTime    *time.Time           `json:"since_time"`
	TopCountries []store.CountryCount `json:"top_countries"`
	Organisation []store.OrgLine      `json:"organisations"`
	Goal         int64                `json:"goal"`
	// Log is the transparency-log checkpoint behind the numbers (nil
	// before the campaign's first batch).
	Log *LogProof `json:"log,omitempty"`
	// Contact and Sender say who runs the campaign ("" : the site's).
	Contact string `json:"contact,omitempty"`
	Sender  string `json:"sender,omitempty"`
}

// SmallCell is the smallest country count shown on its own (privacy
// rule 7).
const SmallCell = 5

// topCountries is how many countries a digest names.
const topCountries = 5

// audienceOf is the call audience addressed by contacts of a region.
func audienceOf(region string) string {
	switch region {
	case store.RegionEU:
		return "eu"
	case store.RegionUS:
		return "us"
	}
	return "intl"
}

// Compose builds the content of d as of now.
func (x *Service) Compose(ctx context.Context, d store.Digest, now time.Time) (Content, error) {
	st, publicURL := x.Store, x.PublicURL
	c := Content{Region: d.Region, Subject: d.Subject, Intro: d.Intro, IntroHTML: markdown.ToHTML(d.Intro), ComposedAt: now.UTC()}
	for _, dc := range d.Campaigns {
		camp, err := st.CampaignByID(ctx, dc.CampaignID)
		if err != nil {
			return Content{}, err
		}
		part, err := composeCampaign(ctx, st, d.Region, camp, publicURL, now)
		if err != nil {
			return Content{}, err
		}
		c.Campaigns = append(c.Campaigns, part)
	}
	return c, nil
}

func composeCampaign(ctx context.Context, st *store.Store, region string, camp store.Campaign, publicURL string, now time.Time) (Campaign, error) {
	part := Campaign{Slug: camp.Slug, Link: publicURL + "/c/" + camp.Slug, Language: camp.Language, Goal: camp.Goal,
		Titles: map[string]string{camp.Language: camp.Title}, Calls: map[string][]string{}}
	if camp.ContactEmail != nil {
		part.Contact = *camp.ContactEmail
	}
	if camp.SenderName != nil {
		part.Sender = *camp.SenderName
	}
	audience := audienceOf(region)
	var picked []int
	for i, call := range camp.Calls {
		if slices.Contains(call.Audiences, audience) {
			picked = append(picked, i)
			part.Calls[camp.Language] = append(part.Calls[camp.Language], call.Text)
		}
	}
	for _, tr := range camp.Served() {
		part.Titles[tr.Language] = tr.Title
		if len(tr.Calls) == len(camp.Calls) {
			for _, i := range picked {
				part.Calls[tr.Language] = append(part.Calls[tr.Language], tr.Calls[i])
			}
		}
	}
	var err error
	if part.Total, err = st.SignatureCount(ctx, camp.ID); err != nil {
		return part, err
	}
	since, found, err := st.PreviousDigestStart(ctx, region, camp.ID, now)
	if err != nil {
		return part, err
	}
	if !found {
		since = time.Time{}
		part.Since = part.Total
	} else {
		part.SinceTime = &since
		if part.Since, err = st.CountConfirmedSince(ctx, camp.ID, since); err != nil {
			return part, err
		}
	}
	countries, _, err := st.SignatureStats(ctx, camp.ID)
	if err != nil {
		return part, err
	}
	part.TopCountries = top(countries)
	if part.Organisation, err = st.ApprovedOrganisationsSince(ctx, camp.ID, since); err != nil {
		return part, err
	}
	if part.Log, err = composeLog(ctx, st, region, camp, publicURL, now); err != nil {
		return part, err
	}
	return part, nil
}

// top keeps the largest countries at or above the small-cell threshold,
// and folds the rest into "other".
func top(in []store.CountryCount) []store.CountryCount {
	var out []store.CountryCount
	var other int64
	for _, c := range in {
		if c.Count >= SmallCell && len(out) < topCountries && c.Country != "other" {
			out = append(out, c)
		} else {
			other += c.Count
		}
	}
	if other > 0 {
		out = append(out, store.CountryCount{Country: "other", Count: other})
	}
	return out
}

func mailersHTML(s string) htmltemplate.HTML {
	return htmltemplate.HTML(s) //nolint:gosec // sanitised by markdown.ToHTML when composed
}

// ContentOf is what d says: its snapshot once sending started, else the
// numbers as of now.
func (x *Service) ContentOf(ctx context.Context, d store.Digest, now time.Time) (Content, error) {
	if d.Content != nil {
		var c Content
		err := json.Unmarshal([]byte(*d.Content), &c)
		return c, err
	}
	return x.Compose(ctx, d, now)
}

// Start snapshots d and queues it for every subscribed contact of its
// region, each at most once. A digest already started by another caller
// is store.ErrDigestStarted, and nothing is changed.
func (x *Service) Start(ctx context.Context, d store.Digest, audit *store.AuditEntry, now time.Time) (int64, error) {
	c, err := x.ContentOf(ctx, d, now)
	if err != nil {
		return 0, err
	}
	b, err := json.Marshal(c)
	if err != nil {
		return 0, err
	}
	return x.Store.StartSending(ctx, d.ID, string(b), audit)
}
