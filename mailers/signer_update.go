package mailers

import htmltemplate "html/template"

// KindSignerUpdate is news of a campaign to a signer who asked for it.
const KindSignerUpdate = "signer_update"

// SignerUpdateParams are a signer update's parameters in one language.
type SignerUpdateParams struct {
	Subject  string            `json:"subject"`
	Body     string            `json:"body"`      // Markdown as written, for the text part
	BodyHTML htmltemplate.HTML `json:"body_html"` // sanitised Markdown
	Campaign string            `json:"campaign"`
	Link     string            `json:"link"`
	Unsub    DigestUnsubscribe `json:"unsubscribe"`
}

// EmailSubject is the staff's own subject line.
func (p *SignerUpdateParams) EmailSubject() string { return p.Subject }

// EmailHeaders are the one-click unsubscribe headers of RFC 8058.
func (p *SignerUpdateParams) EmailHeaders() map[string]string {
	if p.Unsub.OneClick == "" {
		return nil
	}
	return map[string]string{
		"List-Unsubscribe":      "<" + p.Unsub.OneClick + ">",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Precedence":            "bulk",
	}
}

// printedTexts: the templates only print these (see skeleton.go); the
// sanitised HTML body is printed as it is.
func (p *SignerUpdateParams) printedTexts() []*string {
	return []*string{&p.Subject, &p.Body, (*string)(&p.BodyHTML), &p.Campaign, &p.Link, &p.Unsub.Page, &p.Unsub.OneClick, &p.Unsub.Mailto}
}

func init() {
	register(KindSignerUpdate, "signer_update.subject", func() any { return &SignerUpdateParams{} })
}

// SignerUpdate describes a signer update for the queue.
func SignerUpdate(lang string, p SignerUpdateParams) Outgoing {
	return outgoing(KindSignerUpdate, lang, p)
}
