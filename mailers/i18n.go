package mailers

import (
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"strings"
	texttemplate "text/template"
)

// Languages are the languages emails are written in; the first is the
// fallback for any other.
var Languages = []string{"en", "be", "ru"}

var messages = loadMessages()

// loadMessages reads messages/<lang>/*.json: one file per email (and one
// for what they share), so that each email's texts sit together.
func loadMessages() map[string]map[string]string {
	all := map[string]map[string]string{}
	for _, lang := range Languages {
		names, err := fs.Glob(files, "messages/"+lang+"/*.json")
		if err != nil || len(names) == 0 {
			panic("mailers: no messages for " + lang)
		}
		all[lang] = map[string]string{}
		for _, name := range names {
			b, err := files.ReadFile(name)
			if err != nil {
				panic("mailers: " + err.Error())
			}
			m := map[string]string{}
			if err := json.Unmarshal(b, &m); err != nil {
				panic("mailers: " + name + ": " + err.Error())
			}
			for k, v := range m {
				all[lang][k] = v
			}
		}
	}
	return all
}

func supportedLanguage(lang string) string {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	if _, ok := messages[base]; ok {
		return base
	}
	return Languages[0]
}

// translate returns the message key in lang, else in English, formatted
// with args (fmt verbs).
func translate(lang, key string, args ...any) string {
	s, ok := messages[lang][key]
	if !ok {
		s, ok = messages[Languages[0]][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

var (
	htmlFuncs = htmltemplate.FuncMap{"t": translate, "inc": inc}
	textFuncs = texttemplate.FuncMap{"t": translate, "inc": inc}
)

// inc numbers lists from one in plain text.
func inc(i int) int { return i + 1 }
