// Package markdown renders the Markdown that staff write into HTML that is
// safe to show to the public: rendered by goldmark (CommonMark), then
// sanitised by bluemonday, so that even a compromised staff account cannot
// put a script on a campaign page.
package markdown

import (
	"bytes"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

var (
	renderer = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))
	policy   = newPolicy()
)

// newPolicy allows the text elements Markdown produces and links, and no
// images: a remote image would tell a third party who reads the campaign
// (privacy rule 8, docs/privacy.md).
func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
		"ul", "ol", "li", "strong", "em", "b", "i", "del", "code", "pre",
		"table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("align").Matching(bluemonday.CellAlign).OnElements("th", "td")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	// Links leave without telling the other site where the reader came from.
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}

// ToHTML renders Markdown to sanitised HTML.
func ToHTML(md string) string {
	var buf bytes.Buffer
	if err := renderer.Convert([]byte(md), &buf); err != nil {
		// goldmark fails only on writer errors, which a buffer never has.
		return ""
	}
	return policy.Sanitize(buf.String())
}
