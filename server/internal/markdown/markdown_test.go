package markdown

import (
	"strings"
	"testing"
)

func TestToHTML(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want, not string }{
		{"emphasis", "**Free** them", "<strong>Free</strong>", ""},
		{"list", "- one\n- two", "<li>one</li>", ""},
		{"script removed", "hi <script>alert(1)</script>", "hi", "<script"},
		{"javascript link removed", "[x](javascript:alert(1))", "x", "javascript:"},
		{"remote image removed", "![x](https://tracker.example/p.gif)", "", "<img"},
		{"raw HTML dropped", `<p onclick="x()">a</p>`, "", "onclick"},
		{"external link has no referrer", "[BNP](https://example.org)", `rel="noreferrer noopener"`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ToHTML(c.in)
			if !strings.Contains(got, c.want) {
				t.Errorf("ToHTML(%q) = %q, want it to contain %q", c.in, got, c.want)
			}
			if c.not != "" && strings.Contains(got, c.not) {
				t.Errorf("ToHTML(%q) = %q, must not contain %q", c.in, got, c.not)
			}
		})
	}
}
