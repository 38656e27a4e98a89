package mailers

import (
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/bnp/undersigned/locale"
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

// translateCount is the plural form of key for n in lang ("key.one",
// "key.few", "key.many", "key.other", as CLDR's rules pick), formatted with
// n written as lang writes numbers, then args.
func translateCount(lang, key string, n int64, args ...any) string {
	l := locale.For(lang)
	form := key + "." + l.Plural(n)
	if _, ok := messages[lang][form]; !ok {
		form = key + ".other"
	}
	return translate(lang, form, append([]any{l.Number(n)}, args...)...)
}

// number writes n with lang's separators ("10,000", "10 000").
func number(lang string, n int64) string { return locale.For(lang).Number(n) }

// longDate writes a YYYY-MM-DD day in lang ("1 снежня 2026 г.").
func longDate(lang, day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return locale.For(lang).Date(t, "long")
}

var (
	htmlFuncs = htmltemplate.FuncMap{"t": translate, "tn": translateCount, "num": number, "date": longDate, "inc": inc}
	textFuncs = texttemplate.FuncMap{"t": translate, "tn": translateCount, "num": number, "date": longDate, "inc": inc}
)

// inc numbers lists from one in plain text.
func inc(i int) int { return i + 1 }
