package api

import (
	"encoding/json"
	"regexp"
	"slices"
	"testing"

	"github.com/bnp/undersigned/frontend"
)

// TestEveryFieldCodeIsTranslated lists every code a field error can carry
// and fails when a dictionary of the SPA and console (src/lib/errors/*.json,
// embedded for the server-rendered pages too) lacks it, or names a parameter
// the code does not send.
func TestEveryFieldCodeIsTranslated(t *testing.T) {
	placeholder := regexp.MustCompile(`\{(\w+)\}`)
	codes := sortedCodes()
	if len(codes) < 40 {
		t.Fatalf("only %d codes: are they all declared with defineCode?", len(codes))
	}
	for _, lang := range []string{"en", "be", "ru"} {
		b, err := frontend.FieldErrors.ReadFile("src/lib/errors/" + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		dict := map[string]string{}
		if err := json.Unmarshal(b, &dict); err != nil {
			t.Fatal(err)
		}
		for _, code := range codes {
			text, ok := dict["error."+code]
			if !ok {
				t.Errorf("%s.json has no error.%s", lang, code)
				continue
			}
			for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
				if !slices.Contains(fieldCodes[code], m[1]) {
					t.Errorf("%s error.%s uses {%s}, which the code does not send (%v)", lang, code, m[1], fieldCodes[code])
				}
			}
		}
	}
}

// A 422 carries each field's English message and its code with parameters.
func TestFieldErrorsCarryCodesAndMessages(t *testing.T) {
	f := fieldErrors{}
	f.set("name", errTooLong(100))
	f.set("name", errRequired()) // the first reason stays
	f.add("other", "some old message")
	e := f.err().(*Error)
	if e.Fields["name"] != "must be at most 100 characters" || e.Codes["name"]["code"] != "too_long" || e.Codes["name"]["max"] != 100 {
		t.Fatalf("name: %q %v", e.Fields["name"], e.Codes["name"])
	}
	if e.Codes["other"]["code"] != "invalid" || e.Fields["other"] != "some old message" {
		t.Fatalf("other: %v", e.Codes["other"])
	}
	b, _ := json.Marshal(e)
	if want := `"codes":{`; !regexp.MustCompile(regexp.QuoteMeta(want)).Match(b) {
		t.Fatalf("JSON %s", b)
	}
}
