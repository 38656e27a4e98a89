package digest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/countries"
	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
)

// Links builds the unsubscribe links of a contact.
type Links struct {
	PublicURL string
	MailFrom  string // the mailto: alternative goes to this address
	Keys      privacy.Keys
}

// Unsubscribe returns a contact's unsubscribe links.
func (l Links) Unsubscribe(contactID string) mailers.DigestUnsubscribe {
	token := l.Keys.UnsubscribeToken(contactID)
	return mailers.DigestUnsubscribe{
		Page:     l.PublicURL + "/unsubscribe/" + token,
		OneClick: l.PublicURL + "/api/v1/contacts/unsubscribe?token=" + token,
		Mailto:   "mailto:" + l.MailFrom + "?subject=" + mailtoEscape("unsubscribe "+token),
	}
}

// FallbackLanguage is the language a digest's campaign texts fall back to
// when there is none in the contact's: officials of any country read it
// more often than a campaign's own language.
const FallbackLanguage = "en"

// mailtoEscape percent-encodes a mailto header field value (RFC 6068): a
// space is %20, since a "+" would stay a plus sign in the subject.
func mailtoEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// Params turns a composed digest into one recipient's email parameters in
// one language: each campaign's title and calls in that language, else in
// English, else in the campaign's own.
func Params(c Content, lang string, unsub mailers.DigestUnsubscribe) mailers.DigestParams {
	p := mailers.DigestParams{Subject: c.Subject, Intro: c.Intro, IntroHTML: mailersHTML(c.IntroHTML), Unsub: unsub}
	for _, camp := range c.Campaigns {
		title := inLanguage(camp.Titles, lang, camp.Language)
		calls := inLanguage(camp.Calls, lang, camp.Language)
		dc := mailers.DigestCampaign{Title: title, Link: camp.Link, Total: camp.Total, Since: camp.Since, Goal: camp.Goal, Calls: calls}
		if camp.SinceTime != nil {
			dc.SinceDate = camp.SinceTime.Format("2006-01-02")
		}
		dc.Log = logParams(camp, lang)
		for _, cc := range camp.TopCountries {
			name := cc.Country
			if n := countries.Name(cc.Country); n != "" {
				name = n
			}
			if cc.Country == "other" {
				name = "other"
			}
			dc.Countries = append(dc.Countries, mailers.DigestCount{Country: name, Count: cc.Count})
		}
		for _, o := range camp.Organisation {
			country := o.Country
			if n := countries.Name(o.Country); n != "" {
				country = n
			}
			dc.Organisations = append(dc.Organisations, mailers.DigestOrg{Name: o.Name, Type: o.OrgType, Country: country, Confidential: o.Confidential})
		}
		p.Campaigns = append(p.Campaigns, dc)
	}
	return p
}

// inLanguage picks lang's text, else English, else the campaign's own
// language's.
func inLanguage[T any](texts map[string]T, lang, own string) T {
	for _, l := range []string{lang, FallbackLanguage, own} {
		if t, ok := texts[l]; ok {
			return t
		}
	}
	var none T
	return none
}

// Expander fills in digest deliveries at send time: a queued digest message
// holds only the digest's and the contact's ids; the snapshot is read once
// per digest and kept while it is being sent.
type Expander struct {
	Store *store.Store
	Links Links

	mu    sync.Mutex
	cache map[string]Content
}

type deliveryRef struct {
	Digest  string `json:"digest"`
	Contact string `json:"contact"`
}

// Expand returns the full parameters of a digest delivery; other kinds of
// mail, and digests already complete (test sends), pass through.
func (x *Expander) Expand(ctx context.Context, kind, lang string, params []byte) ([]byte, error) {
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
	return json.Marshal(Params(c, lang, x.Links.Unsubscribe(ref.Contact)))
}

func (x *Expander) content(ctx context.Context, digestID string) (Content, error) {
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
