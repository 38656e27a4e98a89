// Package web renders undersigned's public pages on the server: complete
// HTML in the reader's language, from the SPA's own dictionaries
// (frontend.Messages) and styled by the SPA's own stylesheet, so that they
// read and work without JavaScript, and so that a shared link previews as
// its campaign. The SPA takes over where JavaScript runs.
package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/bnp/undersigned/frontend"
)

// Languages are the interface languages, in the order the switcher shows
// them (as the SPA's lib/i18n.js), each named in itself.
var Languages = []Language{{"be", "Беларуская"}, {"ru", "Русский"}, {"en", "English"}}

// Fallback is the language of missing strings and of readers whose
// browsers ask for none of ours.
const Fallback = "en"

// Language is one interface language.
type Language struct {
	Code string
	Name string
}

// dictionaries maps a language to its strings: the site's, the endorse
// pages' and the no-JS pages' own dictionaries merged (their keys do not
// overlap).
type dictionaries map[string]map[string]string

func loadDictionaries() (dictionaries, error) {
	d := dictionaries{}
	for _, src := range []struct {
		fsys fs.FS
		dir  string
	}{{frontend.Messages, "src/lib/messages"}, {frontend.EndorseMessages, "src/endorse"}, {frontend.NoJSMessages, "src/nojs"}} {
		for _, l := range Languages {
			raw, err := fs.ReadFile(src.fsys, path.Join(src.dir, l.Code+".json"))
			if err != nil {
				return nil, fmt.Errorf("web: read %s dictionary: %w", l.Code, err)
			}
			var m map[string]string
			if err := json.Unmarshal(raw, &m); err != nil {
				return nil, fmt.Errorf("web: %s/%s.json: %w", src.dir, l.Code, err)
			}
			if d[l.Code] == nil {
				d[l.Code] = map[string]string{}
			}
			for k, v := range m {
				d[l.Code][k] = v
			}
		}
	}
	return d, nil
}

// Known reports whether code is one of the interface languages.
func Known(code string) bool {
	for _, l := range Languages {
		if l.Code == code {
			return true
		}
	}
	return false
}

// Pick chooses the page language: the query's lang, then the cookie the
// language switcher set, then the first of Accept-Language's languages we
// have (by primary subtag, in the order given, as the SPA picks from
// navigator.languages), else the fallback.
func Pick(query, cookie, acceptLanguage string) string {
	for _, c := range []string{query, cookie} {
		if Known(c) {
			return c
		}
	}
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(params) == "q=0" {
			continue
		}
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if Known(base) {
			return base
		}
	}
	return Fallback
}
