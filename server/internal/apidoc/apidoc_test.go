package apidoc

import (
	"bytes"
	"os"
	"testing"
)

// docs/api.md is the rendering of the document in the repository: an
// endpoint added to openapi.json without `make docs` fails here.
func TestReferenceIsCurrent(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Render(doc)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("docs/api.md is not the rendering of server/internal/api/openapi.json: run make docs")
	}
	if !bytes.Contains(want, []byte("### `POST /api/v1/campaigns/{slug}/signatures`")) {
		t.Fatal("the signing endpoint is missing from the reference")
	}
}
