package seed

import (
	"strings"
	"testing"
)

// The demo ships in Belarusian and Russian, each complete, so that both
// pages are served in their own language and none is a silent draft.
func TestDemoTranslationsAreComplete(t *testing.T) {
	c, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Calls) != 8 {
		t.Fatalf("%d calls, want 8", len(c.Calls))
	}
	want := map[string]string{"be": "Жыве Беларусь!", "ru": "политических заключённых"}
	for lang, phrase := range want {
		var found bool
		for _, tr := range c.Translations {
			if tr.Language != lang {
				continue
			}
			found = true
			if missing := c.Missing(tr); len(missing) != 0 {
				t.Errorf("%s translation misses %v", lang, missing)
			}
			if !strings.Contains(tr.BodyHTML, phrase) || strings.Contains(tr.BodyHTML, "<h1") {
				t.Errorf("%s body is not the translated statement without its title", lang)
			}
			for i, call := range tr.Calls {
				if !strings.Contains(strings.ToLower(tr.Body), strings.ToLower(strings.TrimSuffix(call, "."))) {
					t.Errorf("%s call %d does not read as in the body: %q", lang, i+1, call)
				}
			}
		}
		if !found {
			t.Errorf("no %s translation", lang)
		}
	}
	if len(c.Served()) != 2 {
		t.Errorf("%d translations served, want 2", len(c.Served()))
	}
}
