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

// TestEveryReasonIsTranslated fails when a reason (reasons.go) is missing
// from openapi.json's list or from a dictionary, or when an error class
// (Error.code) lacks the text shown for refusals without a reason.
func TestEveryReasonIsTranslated(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas struct {
				Error struct {
					Properties struct {
						Error struct {
							Properties struct {
								Code, Reason struct {
									Enum []string `json:"enum"`
								}
							} `json:"properties"`
						} `json:"error"`
					} `json:"properties"`
				}
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	documented := doc.Components.Schemas.Error.Properties.Error.Properties
	reasons := sortedReasons()
	if len(reasons) < 15 {
		t.Fatalf("only %d reasons: are they all declared with defineReason?", len(reasons))
	}
	if got := slices.Sorted(slices.Values(documented.Reason.Enum)); !slices.Equal(got, reasons) {
		t.Errorf("openapi.json lists the reasons %v, reasons.go declares %v", got, reasons)
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
		for _, r := range reasons {
			if dict["reason."+r] == "" {
				t.Errorf("%s.json has no reason.%s", lang, r)
			}
		}
		for _, code := range documented.Code.Enum {
			if dict["status."+code] == "" {
				t.Errorf("%s.json has no status.%s", lang, code)
			}
		}
	}
}
