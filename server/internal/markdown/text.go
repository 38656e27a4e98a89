package markdown

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// ToText renders Markdown as plain text for the text part of an email: no
// "**" or "[…](…)" left, each link written once as "text (address)" (or the
// bare address), so that the text part carries exactly the links the HTML
// part does.
func ToText(md string) string {
	doc, err := html.Parse(strings.NewReader(ToHTML(md)))
	if err != nil {
		return md
	}
	var b strings.Builder
	walkText(&b, doc, 0)
	return strings.TrimSpace(blankLines.ReplaceAllString(b.String(), "\n\n"))
}

var blankLines = regexp.MustCompile(`\n{3,}`)

func walkText(b *strings.Builder, n *html.Node, depth int) {
	switch n.Type {
	case html.TextNode:
		b.WriteString(n.Data)
		return
	case html.ElementNode:
		switch n.Data {
		case "a":
			var href string
			for _, a := range n.Attr {
				if a.Key == "href" {
					href = a.Val
				}
			}
			var inner strings.Builder
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walkText(&inner, c, depth)
			}
			text := strings.TrimSpace(inner.String())
			switch {
			case href == "" || strings.TrimPrefix(href, "mailto:") == text:
				b.WriteString(inner.String())
			case text == "" || text == href:
				b.WriteString(href)
			default:
				b.WriteString(text + " (" + href + ")")
			}
			return
		case "br":
			b.WriteString("\n")
		case "li":
			b.WriteString("\n" + strings.Repeat("  ", max(depth-1, 0)) + "- ")
		case "ul", "ol":
			depth++
		case "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr", "hr":
			b.WriteString("\n\n")
		case "td", "th":
			b.WriteString(" ")
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walkText(b, c, depth)
	}
	if n.Type == html.ElementNode && (n.Data == "ul" || n.Data == "ol") {
		b.WriteString("\n\n")
	}
}
