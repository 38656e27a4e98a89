package digest

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/bnp/undersigned/locale"
	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/markdown"
	"github.com/bnp/undersigned/server/internal/store"
)

// FallbackLanguage is the language a digest falls back to when its
// campaigns share neither the contact's language nor their own: officials
// of any country read it more often than a campaign's own language.
const FallbackLanguage = "en"

// Language is the one language a digest is written in for a contact who
// reads lang: lang when every campaign has a complete text in it, else the
// first campaign's own language when every campaign has that, else
// English; never English headings around a Russian statement.
func Language(c Content, lang string) string {
	candidates := []string{lang}
	if len(c.Campaigns) > 0 {
		candidates = append(candidates, c.Campaigns[0].Language)
	}
	for _, l := range append(candidates, FallbackLanguage) {
		all := true
		for _, camp := range c.Campaigns {
			if _, ok := camp.Titles[l]; !ok {
				all = false
				break
			}
		}
		if all {
			return l
		}
	}
	return lang
}

// Params turns a composed digest into one recipient's email parameters in
// one language (see Language): titles, calls, country names, numbers and
// plurals all in it; the staff's intro as sanitised HTML and as plain text.
func Params(c Content, lang string, unsub mailers.DigestUnsubscribe) mailers.DigestParams {
	lang = Language(c, lang)
	names := locale.For(lang)
	p := mailers.DigestParams{Subject: c.Subject, Intro: markdown.ToText(c.Intro), IntroHTML: mailersHTML(c.IntroHTML),
		Unsub: unsub, Language: lang}
	for _, camp := range c.Campaigns {
		title := inLanguage(camp.Titles, lang, camp.Language)
		calls := inLanguage(camp.Calls, lang, camp.Language)
		dc := mailers.DigestCampaign{Title: title, Link: camp.Link, Total: camp.Total, Since: camp.Since, Goal: camp.Goal, Calls: calls}
		if camp.SinceTime != nil {
			dc.SinceDate = camp.SinceTime.Format("2006-01-02")
		}
		dc.Log = logParams(camp, lang)
		if p.Contact == "" {
			p.Contact = camp.Contact
		}
		if p.Sender == "" {
			p.Sender = camp.Sender
		}
		for _, cc := range camp.TopCountries {
			name := names.Country(cc.Country)
			if cc.Country == "other" || name == "" {
				name = "other"
			}
			dc.Countries = append(dc.Countries, mailers.DigestCount{Country: name, Count: cc.Count})
		}
		for _, o := range camp.Organisation {
			country := names.Country(o.Country)
			if country == "" {
				country = o.Country
			}
			dc.Organisations = append(dc.Organisations, mailers.DigestOrg{Name: o.Name, Type: o.OrgType, Country: country, Confidential: o.Confidential})
		}
		p.Campaigns = append(p.Campaigns, dc)
	}
	return p
}

// inLanguage picks lang's text, else the campaign's own language's, else
// English.
func inLanguage[T any](texts map[string]T, lang, own string) T {
	for _, l := range []string{lang, own, FallbackLanguage} {
		if t, ok := texts[l]; ok {
			return t
		}
	}
	var none T
	return none
}

type deliveryRef struct {
	Digest  string `json:"digest"`
	Contact string `json:"contact"`
}

// Expand fills in a digest delivery at send time: a queued digest message
// holds only the digest's and the contact's ids; the snapshot is read once
// per digest and kept while it is being sent. It returns the delivery's
// full parameters; other kinds of mail, and digests already complete (test
// sends), pass through.
func (x *Service) Expand(ctx context.Context, kind, lang string, params []byte) ([]byte, error) {
	if kind != mailers.KindDigest {
		return params, nil
	}
	var ref deliveryRef
	if err := json.Unmarshal(params, &ref); err != nil || ref.Digest == "" || ref.Contact == "" {
		return params, nil
	}
	c, err := x.content(ctx, ref.Digest)
	if err != nil {
		return nil, err
	}
	return json.Marshal(Params(c, lang, x.Unsubscribe(ref.Contact)))
}

func (x *Service) content(ctx context.Context, digestID string) (Content, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if c, ok := x.cache[digestID]; ok {
		return c, nil
	}
	d, err := x.Store.DigestByID(ctx, digestID)
	if err != nil {
		return Content{}, err
	}
	if d.Content == nil {
		return Content{}, fmt.Errorf("digest %s: %w", digestID, store.ErrNotFound)
	}
	var c Content
	if err := json.Unmarshal([]byte(*d.Content), &c); err != nil {
		return Content{}, fmt.Errorf("digest %s content: %w", digestID, err)
	}
	if x.cache == nil || len(x.cache) > 16 {
		x.cache = map[string]Content{}
	}
	x.cache[digestID] = c
	return c, nil
}
