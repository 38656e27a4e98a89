package markdown

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// allowed are the elements and their attributes that sanitised HTML may
// hold; everything else (scripts, images, event handlers, styles) must go.
var allowed = map[string][]string{
	"p": nil, "br": nil, "hr": nil, "h1": nil, "h2": nil, "h3": nil, "h4": nil, "h5": nil, "h6": nil,
	"blockquote": nil, "ul": nil, "ol": nil, "li": nil, "strong": nil, "em": nil, "b": nil, "i": nil,
	"del": nil, "code": nil, "pre": nil, "table": nil, "thead": nil, "tbody": nil, "tr": nil,
	"th": {"align"}, "td": {"align"}, "a": {"href", "rel", "target"},
}

// FuzzToHTML: whatever staff write, the rendered page holds only the
// allowed elements and attributes, and links only to http, https, mailto
// or a relative address.
func FuzzToHTML(f *testing.F) {
	for _, s := range []string{"**Free** them", "<script>alert(1)</script>", "[x](javascript:alert(1))",
		"![x](https://tracker.example/p.gif)", "<a href=\"jav&#x09;ascript:x\">y</a>", "| a |\n|:-|\n| <img src=x onerror=y> |",
		"<svg><style>x</style></svg>", "[a](<java\nscript:x>)", "www.example.org", "<details open ontoggle=x>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, md string) {
		out := ToHTML(md)
		z := html.NewTokenizer(strings.NewReader(out))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				return
			}
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken && tt != html.EndTagToken {
				continue
			}
			tok := z.Token()
			attrs, ok := allowed[tok.Data]
			if !ok {
				t.Fatalf("element <%s> in %q from %q", tok.Data, out, md)
			}
			for _, a := range tok.Attr {
				if !slices.Contains(attrs, a.Key) {
					t.Fatalf("attribute %s on <%s> in %q", a.Key, tok.Data, out)
				}
				if a.Key == "href" {
					u, err := url.Parse(a.Val)
					if err != nil || (u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "mailto") {
						t.Fatalf("link %q in %q from %q", a.Val, out, md)
					}
				}
			}
		}
	})
}
