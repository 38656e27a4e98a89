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

func TestToTextLeavesNoMarkdownAndKeepsEachLinkOnce(t *testing.T) {
	md := "Dear colleagues,\n\n**Please** read [the statement](https://example.org/c/x) and write to <mailto:team@example.org>.\n\n- one\n- two *items*\n\nSee https://example.org/more"
	got := ToText(md)
	for _, raw := range []string{"**", "](", "*items*", "<mailto"} {
		if strings.Contains(got, raw) {
			t.Errorf("raw Markdown %q left in %q", raw, got)
		}
	}
	for _, want := range []string{"Please read the statement (https://example.org/c/x)", "- one", "- two items", "team@example.org", "https://example.org/more"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q not in %q", want, got)
		}
	}
	if n := strings.Count(got, "https://example.org/c/x"); n != 1 {
		t.Errorf("link written %d times in %q", n, got)
	}
}
