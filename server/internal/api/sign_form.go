package api

import (
	"slices"

	"github.com/bnp/undersigned/mailers"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bnp/undersigned/server/internal/countries"
	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
)

// signInput is the body of POST /campaigns/{slug}/signatures.
type signInput struct {
	Name       string  `json:"name"`
	Email      string  `json:"email"`
	Country    string  `json:"country"`
	Comment    *string `json:"comment"`
	Visibility string  `json:"visibility"`
	Updates    bool    `json:"updates"`
	Consent    bool    `json:"consent"`
	Pow        string  `json:"pow"`
	// Ref is a partner's share code from ?ref=, kept for aggregate counts.
	Ref string `json:"ref"`
	// Language is the page's language ("be", "ru", "en"): the emails are
	// written in it, whatever the browser's Accept-Language says.
	Language string `json:"language"`
}

// signForm is a valid signing request.
type signForm struct {
	signInput
	email       string // as typed, trimmed and lower-cased: where mail goes
	canonical   string // for deduplication
	emailDomain string
}

var refPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

const (
	maxName    = 100
	maxComment = 500
)

// validate checks every field and reports each failure by name.
func (in signInput) validate() (signForm, error) {
	f := fieldErrors{}
	form := signForm{signInput: in}
	form.Name = strings.Join(strings.Fields(in.Name), " ")
	// A private signer may leave the name out (count-only): deduplication is
	// by address, and what is never collected cannot be seized.
	countOnly := form.Name == "" && (in.Visibility == "" || in.Visibility == store.VisibilityPrivate)
	if n := utf8.RuneCountInString(form.Name); (n == 0 && !countOnly) || n > maxName || !printable(form.Name, false) {
		f.set("name", errLength(1, 100))
	}
	form.email = strings.ToLower(strings.TrimSpace(in.Email))
	canonical, domain, err := privacy.CanonicalEmail(form.email)
	if err != nil {
		f.set("email", errEmail())
	}
	form.canonical, form.emailDomain = canonical, domain
	checkLanguage(f, in.Language)
	form.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	if !countries.Valid(form.Country) {
		f.set("country", errCountry())
	}
	if in.Comment != nil {
		c := strings.TrimSpace(*in.Comment)
		if utf8.RuneCountInString(c) > maxComment || !printable(c, true) {
			f.set("comment", errTooLong(500))
		}
		if c == "" {
			form.Comment = nil
		} else {
			form.Comment = &c
		}
	}
	switch in.Visibility {
	case "":
		form.Visibility = store.VisibilityPrivate
	case store.VisibilityPrivate, store.VisibilityInitials, store.VisibilityPublic:
	default:
		f.set("visibility", errOneOf("private", "initials", "public"))
	}
	if !in.Consent {
		f.set("consent", fe(codeConsent, "must be given to sign"))
	}
	if in.Ref != "" && !refPattern.MatchString(in.Ref) {
		f.set("ref", fe(codeInvalidRef, "must be a share code of lower-case letters, digits and hyphens"))
	}
	return form, f.err()
}

// printable reports whether s is valid UTF-8 without control characters
// (newlines allowed where multiline is). What a person may type as a name
// is allowed: the zero-width joiner of emoji sequences (👩‍👩‍👧) and the
// non-joiner of Persian or Indic names, between two visible characters,
// and the tag characters of subdivision flags after one.
func printable(s string, multiline bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	runes := []rune(s)
	visible := func(i int) bool {
		return i >= 0 && i < len(runes) && unicode.IsGraphic(runes[i]) && !unicode.IsSpace(runes[i]) && !isJoiner(runes[i])
	}
	for i, r := range runes {
		switch {
		case multiline && (r == '\n' || r == '\r'):
		case isJoiner(r):
			if !visible(i-1) || !visible(i+1) {
				return false
			}
		case r >= 0xE0020 && r <= 0xE007F: // tags, as in 🏴 + "gbsct" + cancel tag
			if i == 0 || unicode.IsSpace(runes[i-1]) || isJoiner(runes[i-1]) {
				return false
			}
		case !unicode.IsPrint(r) && r != ' ':
			return false
		}
	}
	return true
}

// isJoiner reports a zero-width joiner or non-joiner.
func isJoiner(r rune) bool { return r == '\u200d' || r == '\u200c' }

// displayName is how a listed signer appears: "Alena K." for initials, the
// name as typed for public, nothing for private. A name of one word under
// initials shows only its initial: it may be the surname.
func displayName(name, visibility string) string {
	switch visibility {
	case store.VisibilityPublic:
		return name
	case store.VisibilityInitials:
		words := strings.Fields(name)
		if len(words) == 0 {
			return ""
		}
		last, _ := utf8.DecodeRuneInString(words[len(words)-1])
		initial := string(unicode.ToUpper(last)) + "."
		if len(words) == 1 {
			return initial
		}
		return words[0] + " " + initial
	default:
		return ""
	}
}

// checkLanguage accepts an empty language (the browser's then) or one that
// emails are written in.
func checkLanguage(f fieldErrors, lang string) {
	if lang != "" && !slices.Contains(mailers.Languages, lang) {
		f.set("language", errLanguage())
	}
}
