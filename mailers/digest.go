package mailers

import htmltemplate "html/template"

// KindDigest is a digest of campaigns' progress to an official.
const KindDigest = "digest"

// DigestParams are a digest email's parameters for one recipient, in one
// language: the queue expands the stored snapshot into them at send time.
type DigestParams struct {
	Subject   string            `json:"subject"`
	Intro     string            `json:"intro"`
	IntroHTML htmltemplate.HTML `json:"intro_html"` // sanitised Markdown
	Campaigns []DigestCampaign  `json:"campaigns"`
	Preview   bool              `json:"preview"`
	Unsub     DigestUnsubscribe `json:"unsubscribe"`
}

// DigestUnsubscribe holds the recipient's unsubscribe links.
type DigestUnsubscribe struct {
	// Page is {PUBLIC_URL}/unsubscribe/{token}, for people.
	Page string `json:"page"`
	// OneClick is the RFC 8058 POST target for mail clients.
	OneClick string `json:"one_click"`
	// Mailto is the mailto: alternative of List-Unsubscribe.
	Mailto string `json:"mailto"`
}

// DigestCampaign is one campaign's part of a digest email.
type DigestCampaign struct {
	Title         string        `json:"title"`
	Link          string        `json:"link"`
	Total         int64         `json:"total"`
	Since         int64         `json:"since"`
	SinceDate     string        `json:"since_date"` // empty: first digest to the region
	Goal          int64         `json:"goal"`
	Countries     []DigestCount `json:"countries"`
	Organisations []DigestOrg   `json:"organisations"`
	Calls         []string      `json:"calls"`
	// Log is the transparency-log checkpoint behind the numbers
	// (digest_log.*.tmpl); nil before the campaign's first batch.
	Log *DigestLog `json:"log,omitempty"`
}

// DigestLog states the checkpoint a digest's numbers stand on.
type DigestLog struct {
	Lang         string `json:"lang"`
	Size         int64  `json:"size"`
	Root         string `json:"root"`
	Counted      int64  `json:"counted"`
	Waiting      int64  `json:"waiting"` // counted after the checkpoint, before the next batch
	SignedAt     string `json:"signed_at"`
	Witnesses    string `json:"witnesses"` // names, comma-separated
	URL          string `json:"url"`
	Checkpoint   string `json:"checkpoint"`
	PreviousSize int64  `json:"previous_size"`
}

// DigestCount is signatures from one country ("other" folds small ones).
type DigestCount struct {
	Country string `json:"country"`
	Count   int64  `json:"count"`
}

// DigestOrg is an organisation newly endorsing a campaign.
type DigestOrg struct {
	Name         string `json:"name"`
	Type         string `json:"type"`
	Country      string `json:"country"`
	Confidential bool   `json:"confidential"`
}

// EmailSubject is the staff's own subject line.
func (p *DigestParams) EmailSubject() string { return p.Subject }

// EmailHeaders are the one-click unsubscribe headers of RFC 8058.
func (p *DigestParams) EmailHeaders() map[string]string {
	if p.Unsub.OneClick == "" {
		return nil
	}
	h := map[string]string{
		"List-Unsubscribe":      "<" + p.Unsub.OneClick + ">",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Precedence":            "bulk",
	}
	if p.Unsub.Mailto != "" {
		h["List-Unsubscribe"] += ", <" + p.Unsub.Mailto + ">"
	}
	return h
}

func init() {
	register(KindDigest, "digest.subject", func() any { return &DigestParams{} })
}
