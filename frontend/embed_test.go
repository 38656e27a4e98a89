package frontend

import (
	"io/fs"
	"strings"
	"testing"
)

// Whichever build is embedded, the server needs an index.html at the root for
// its history fallback; with the real build, it must load the hashed assets.
func TestDistHasIndex(t *testing.T) {
	fsys, built := Dist()
	page, err := fs.ReadFile(fsys, "index.html")
	if err != nil {
		t.Fatalf("read index.html: %v", err)
	}
	if built && !strings.Contains(string(page), `src="/assets/`) {
		t.Errorf("built index.html does not load /assets/: %s", page)
	}
	if !built && !strings.Contains(string(page), "make build") {
		t.Errorf("stub index.html does not say how to build the SPA: %s", page)
	}
}
