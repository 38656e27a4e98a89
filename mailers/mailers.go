// Package mailers is the one way email leaves undersigned: one function per
// email that describes it for the durable queue, templates embedded in the
// binary (an HTML part with inline CSS and nothing remote, and a plain-text
// part that reads well alone) in English, Belarusian and Russian, and the
// SMTP transport through go-mail.
//
// Subjects and sender names are neutral: mailboxes can be inspected, so
// nothing in a subject names a campaign's cause.
package mailers

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"sort"
	"sync"
	texttemplate "text/template"
)

//go:embed templates messages
var files embed.FS

// Email is a rendered message.
type Email struct {
	Subject string
	HTML    string
	Text    string
	// Headers are extra headers, such as List-Unsubscribe.
	Headers map[string]string
}

// Message is an email ready for a transport.
type Message struct {
	// MessageID is stable across retries, so that a downstream server can
	// recognise a message it has already seen.
	MessageID string
	Kind      string
	To        string
	Email
}

// Site is what every template may show about the installation.
type Site struct {
	// SenderName names who sends digests when a campaign names no one
	// (MAIL_FROM's display name).
	SenderName string
	// ContactEmail is where people reach the organisers (CONTACT_EMAIL):
	// every email's footer names it, unless the email names its campaign's.
	ContactEmail string
}

// kind describes one email: its templates and how to read its parameters.
type kind struct {
	html    *htmltemplate.Template
	text    *texttemplate.Template
	subject string // message key; parameters with EmailSubject() override it
	params  func() any
}

// Catalog renders every kind of email.
type Catalog struct {
	site      Site
	kinds     map[string]kind
	skeletons skeletons
}

// NewCatalog returns a catalog for site. The embedded templates are parsed
// once a process (parsedKinds): a parsed template is safe to execute from
// many goroutines, and every catalog renders the same ones.
func NewCatalog(site Site) (*Catalog, error) {
	kinds, err := parsedKinds()
	if err != nil {
		return nil, err
	}
	return &Catalog{site: site, kinds: kinds}, nil
}

// parsedKinds parses every kind's templates (read only once parsed).
var parsedKinds = sync.OnceValues(func() (map[string]kind, error) {
	kinds := map[string]kind{}
	for name, k := range registry {
		html, err := htmltemplate.New("layout.html.tmpl").Funcs(htmlFuncs).ParseFS(files, templateFiles(name, "html")...)
		if err != nil {
			return nil, fmt.Errorf("mailers: %s: %w", name, err)
		}
		text, err := texttemplate.New("layout.txt.tmpl").Funcs(textFuncs).ParseFS(files, templateFiles(name, "txt")...)
		if err != nil {
			return nil, fmt.Errorf("mailers: %s: %w", name, err)
		}
		k.html, k.text = html, text
		kinds[name] = k
	}
	return kinds, nil
})

// templateFiles are the layout, an email's template and its parts kept in
// files of their own (name_part.ext.tmpl, such as digest_log.html.tmpl).
func templateFiles(name, ext string) []string {
	out := []string{"templates/layout." + ext + ".tmpl", "templates/" + name + "." + ext + ".tmpl"}
	parts, _ := fs.Glob(files, "templates/"+name+"_*."+ext+".tmpl")
	return append(out, parts...)
}

// Kinds lists the kinds of email the catalog renders.
func (c *Catalog) Kinds() []string {
	names := make([]string, 0, len(c.kinds))
	for n := range c.kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// view is what a template sees.
type view struct {
	Lang   string
	Site   Site
	Params any
	// Contact is the address in the footer: the campaign's own when the
	// parameters carry one, else the site's.
	Contact string
	// Sender names who sends a digest.
	Sender string
}

// Render renders a kind of email from its JSON parameters in a language
// (English where a translation is missing). A kind whose parameters list
// their printed texts is rendered once per language and shape, and each
// message only has its texts put in (skeleton.go): the same bytes, without
// executing the templates for every message.
func (c *Catalog) Render(kindName, lang string, params []byte) (Email, error) {
	k, ok := c.kinds[kindName]
	if !ok {
		return Email{}, fmt.Errorf("mailers: unknown kind %q", kindName)
	}
	p := k.params()
	if err := json.Unmarshal(params, p); err != nil {
		return Email{}, fmt.Errorf("mailers: %s parameters: %w", kindName, err)
	}
	if pt, ok := p.(printedTexts); ok {
		if e, ok := c.fromSkeleton(kindName, lang, p, pt); ok {
			return e, nil
		}
	}
	return c.execute(kindName, lang, p)
}

// execute renders parsed parameters through the templates.
func (c *Catalog) execute(kindName, lang string, p any) (Email, error) {
	k := c.kinds[kindName]
	lang = emailLanguage(lang, p)
	v := view{Lang: lang, Site: c.site, Params: p, Contact: c.site.ContactEmail, Sender: c.site.SenderName}
	if sn, ok := p.(interface{ EmailSender() string }); ok && sn.EmailSender() != "" {
		v.Sender = sn.EmailSender()
	}
	if ct, ok := p.(interface{ EmailContact() string }); ok && ct.EmailContact() != "" {
		v.Contact = ct.EmailContact()
	}
	var html, text bytes.Buffer
	if err := k.html.Execute(&html, v); err != nil {
		return Email{}, fmt.Errorf("mailers: %s html: %w", kindName, err)
	}
	if err := k.text.Execute(&text, v); err != nil {
		return Email{}, fmt.Errorf("mailers: %s text: %w", kindName, err)
	}
	e := Email{Subject: translate(lang, k.subject), HTML: html.String(), Text: text.String()}
	if s, ok := p.(interface{ EmailSubject() string }); ok && s.EmailSubject() != "" {
		e.Subject = s.EmailSubject()
	}
	if h, ok := p.(interface{ EmailHeaders() map[string]string }); ok {
		e.Headers = h.EmailHeaders()
	}
	if r, ok := p.(interface{ EmailReplyTo() bool }); ok && r.EmailReplyTo() && v.Contact != "" {
		if e.Headers == nil {
			e.Headers = map[string]string{}
		}
		e.Headers["Reply-To"] = v.Contact
	}
	return e, nil
}

// emailLanguage is the language an email is written in: the parameters'
// own (a digest picks one for all it says), else lang, else English.
func emailLanguage(lang string, p any) string {
	if l, ok := p.(interface{ EmailLanguage() string }); ok && l.EmailLanguage() != "" {
		lang = l.EmailLanguage()
	}
	return supportedLanguage(lang)
}

// registry holds every kind of email; each email's file adds itself.
var registry = map[string]kind{}

func register(name, subjectKey string, params func() any) {
	registry[name] = kind{subject: subjectKey, params: params}
}

// Outgoing describes an email for the durable queue: which kind, in which
// language, with which parameters (JSON). The queue renders it when it
// sends it, so that a retry sends the same message.
type Outgoing struct {
	Kind     string
	Language string
	Params   []byte
}

func outgoing(kindName, lang string, params any) Outgoing {
	b, err := json.Marshal(params)
	if err != nil {
		panic("mailers: parameters of " + kindName + " cannot be JSON: " + err.Error())
	}
	return Outgoing{Kind: kindName, Language: lang, Params: b}
}
