package mailers

import (
	"encoding/json"
	"strings"
	"sync"
	"unicode/utf8"
)

// Executing an email's templates costs tens of microseconds, most of it
// reflection, and the queue renders every message it sends: a third of
// the CPU a message cost. But the messages of one kind differ only in a
// few texts (a link, a campaign's title, a name). So each kind whose
// parameters list those texts is rendered once per language and shape,
// with a placeholder where each text goes, and each message then only has
// its texts put in, each escaped as the templates escape it where it
// stands. How each place escapes each character is learned by rendering
// the shape once more with every character in every text; a message
// holding a character not learned, or a URL that html/template would
// refuse, is rendered the slow way, and so is a shape whose skeleton does
// not give the bytes the templates give for its first message. Tests
// render every kind both ways, with hostile texts, and compare.

// printedTexts is implemented by parameters whose templates only print
// some of their strings, as they are or through a translation's %s, and
// test them for being empty: nothing else in the email depends on what
// they say. It returns pointers to those strings.
type printedTexts interface {
	printedTexts() []*string
}

// skeleton is an email rendered with placeholders for its texts.
type skeleton struct {
	// ok is false when this shape must be rendered the slow way.
	ok                  bool
	subject, html, text pieces
	headers             map[string]pieces
	// urls marks the texts printed where html/template requires a safe
	// URL (it prints "#ZgotmplZ" for javascript: and the like).
	urls []bool
}

// pieces are fixed strings, each followed by a text (or none).
type pieces []piece

type piece struct {
	fixed string
	text  int // index of the text after fixed; -1: none
	esc   *escaping
}

// escaping is what one place in a template makes of each character.
type escaping struct {
	ascii [utf8.RuneSelf]string
	known [utf8.RuneSelf]bool
	same  [utf8.RuneSelf]bool // known, and printed as it is
	// unicode: characters beyond ASCII are printed as they are.
	unicode bool
}

// skeletons caches the skeletons of a catalog.
type skeletons struct {
	mu sync.RWMutex
	m  map[string]*skeleton
}

// maxSkeletons bounds the cache: shapes are few (a kind's numbers, such as
// a link's validity in days, and which texts are empty), but nothing
// should grow without bound.
const maxSkeletons = 512

func (s *skeletons) get(key string) *skeleton {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.m[key]
}

func (s *skeletons) put(key string, sk *skeleton) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil || len(s.m) >= maxSkeletons {
		s.m = map[string]*skeleton{}
	}
	s.m[key] = sk
}

// fromSkeleton renders p from its shape's skeleton; false: render it the
// slow way.
func (c *Catalog) fromSkeleton(kindName, lang string, p any, pt printedTexts) (Email, bool) {
	texts := pt.printedTexts()
	if len(texts) > 26 {
		return Email{}, false
	}
	values := make([]string, len(texts))
	for i, t := range texts {
		values[i] = *t
	}
	// The shape: every parameter but the texts, and which texts are empty.
	setTexts(texts, values, placeholder)
	shape, err := json.Marshal(p)
	setTexts(texts, values, nil)
	if err != nil {
		return Email{}, false
	}
	lang = emailLanguage(lang, p)
	key := kindName + "\x00" + lang + "\x00" + string(shape)
	sk := c.skeletons.get(key)
	if sk == nil {
		sk = c.learn(kindName, lang, p, texts, values)
		c.skeletons.put(key, sk)
	}
	if !sk.ok {
		return Email{}, false
	}
	return sk.fill(values)
}

// setTexts sets each non-empty text to f(i), or back to its value if f is
// nil.
func setTexts(texts []*string, values []string, f func(int) string) {
	for i, t := range texts {
		switch {
		case values[i] == "":
		case f == nil:
			*t = values[i]
		default:
			*t = f(i)
		}
	}
}

// fill puts values in; false when a value holds a character not learned,
// or a URL html/template would refuse.
func (sk *skeleton) fill(values []string) (Email, bool) {
	for i, v := range values {
		if sk.urls[i] && !safeURL(v) {
			return Email{}, false
		}
	}
	var e Email
	var ok bool
	if e.Subject, ok = sk.subject.fill(values); !ok {
		return Email{}, false
	}
	if e.HTML, ok = sk.html.fill(values); !ok {
		return Email{}, false
	}
	if e.Text, ok = sk.text.fill(values); !ok {
		return Email{}, false
	}
	if sk.headers != nil {
		e.Headers = make(map[string]string, len(sk.headers))
		for name, ps := range sk.headers {
			if e.Headers[name], ok = ps.fill(values); !ok {
				return Email{}, false
			}
		}
	}
	return e, true
}

func (ps pieces) fill(values []string) (string, bool) {
	n := 0
	for _, p := range ps {
		n += len(p.fixed)
		if p.text >= 0 {
			n += len(values[p.text]) + 16
		}
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range ps {
		b.WriteString(p.fixed)
		if p.text >= 0 && !p.esc.write(&b, values[p.text]) {
			return "", false
		}
	}
	return b.String(), true
}

// write writes s as this place escapes it; false if s holds a character
// whose escaping was not learned. Runs of characters printed as they are
// are written at once.
func (esc *escaping) write(b *strings.Builder, s string) bool {
	run := 0 // start of the run of characters printed as they are
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !esc.known[c] {
				return false
			}
			if !esc.same[c] {
				b.WriteString(s[run:i])
				b.WriteString(esc.ascii[c])
				run = i + 1
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		// JavaScript escapers treat the line and paragraph separators apart.
		if !esc.unicode || r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += n
	}
	b.WriteString(s[run:])
	return true
}

// safeURL is html/template's test of a URL printed in an attribute: a
// relative URL or one with the http, https or mailto scheme.
func safeURL(s string) bool {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") {
		return strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https") || strings.EqualFold(scheme, "mailto")
	}
	return true
}
