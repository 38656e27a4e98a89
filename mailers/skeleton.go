package mailers

import (
	"encoding/json"
	"maps"
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

// placeholder and closer stand for text i, and mark parts a probe:
// letters only, which every escaper leaves as they are, and nothing a
// template would say.
var placeholders, closers [26]string

const (
	placeholderLen = 9
	mark           = "qXzMMzXq"
)

func init() {
	for i := range placeholders {
		placeholders[i] = "qXzJ" + string(rune('a'+i)) + "JzXq"
		closers[i] = "qXzK" + string(rune('a'+i)) + "KzXq"
	}
}

func placeholder(i int) string { return placeholders[i] }

// probes are the characters whose escaping is learned: every ASCII
// character but '%' (a URL keeps a valid escape such as "%41" and escapes a
// lone '%': what it makes of one depends on the next two characters), and
// some standing for all the others: two, three and four bytes long, and a
// no-break space.
var probes, probe = func() ([]string, string) {
	var ps []string
	for ch := range utf8.RuneSelf {
		if ch != '%' {
			ps = append(ps, string(rune(ch)))
		}
	}
	ps = append(ps, "é", "ж", "€", "😀", "\u00a0")
	return ps, strings.Join(ps, mark)
}()

// learn renders p's shape with placeholders, then with every probe in
// each text, to learn how each place escapes each character. p's texts
// are left as they were.
func (c *Catalog) learn(kindName, lang string, p any, texts []*string, values []string) *skeleton {
	defer setTexts(texts, values, nil)
	render := func(f func(int) string) (Email, error) {
		setTexts(texts, values, f)
		return c.execute(kindName, lang, p)
	}
	base, err := render(placeholder)
	if err != nil {
		return &skeleton{}
	}
	sk := &skeleton{ok: true, urls: make([]bool, len(texts)), subject: split(base.Subject), html: split(base.HTML), text: split(base.Text)}
	if base.Headers != nil {
		sk.headers = map[string]pieces{}
		for name, v := range base.Headers {
			sk.headers[name] = split(v)
		}
	}
	// The leading '/' keeps html/template's URL filter from reading the
	// probe's ':' as the end of a scheme.
	e, err := render(func(i int) string { return "/" + placeholders[i] + probe + closers[i] })
	if err != nil {
		return &skeleton{}
	}
	sk.eachPart(e, func(ps pieces, out string) {
		for _, f := range probed(ps, out) {
			got := strings.Split(f.got, mark)
			if len(got) != len(probes) {
				continue
			}
			f.esc.unicode = true
			for j, pr := range probes {
				if ch := pr[0]; len(pr) == 1 {
					f.esc.ascii[ch], f.esc.known[ch], f.esc.same[ch] = got[j], true, got[j] == pr
				} else if got[j] != pr {
					f.esc.unicode = false
				}
			}
		}
	})
	// A text printed where html/template filters URLs is left out when it
	// has an unsafe scheme.
	if e, err = render(func(i int) string { return placeholders[i] + ":" + closers[i] }); err != nil {
		return &skeleton{}
	}
	sk.eachPart(e, func(ps pieces, out string) {
		for _, p := range ps {
			if p.text >= 0 && strings.Count(out, placeholders[p.text]) < ps.count(p.text) {
				sk.urls[p.text] = true
			}
		}
	})
	sk.ok = sk.check(c, kindName, lang, p, texts, values)
	return sk
}

// eachPart calls f with each part of the skeleton and the same part of e.
func (sk *skeleton) eachPart(e Email, f func(pieces, string)) {
	f(sk.subject, e.Subject)
	f(sk.html, e.HTML)
	f(sk.text, e.Text)
	for name, ps := range sk.headers {
		f(ps, e.Headers[name])
	}
}

// split cuts a string rendered with placeholders into pieces.
func split(s string) pieces {
	var ps pieces
	for {
		at := strings.Index(s, "qXzJ")
		if at < 0 || len(s) < at+placeholderLen {
			return append(ps, piece{fixed: s, text: -1})
		}
		i := int(s[at+4] - 'a')
		if i < 0 || i >= 26 || s[at:at+placeholderLen] != placeholder(i) {
			ps = append(ps, piece{fixed: s[:at+4], text: -1})
			s = s[at+4:]
			continue
		}
		ps = append(ps, piece{fixed: s[:at], text: i, esc: &escaping{}})
		s = s[at+placeholderLen:]
	}
}

// count is how many places print text i.
func (ps pieces) count(i int) int {
	n := 0
	for _, p := range ps {
		if p.text == i {
			n++
		}
	}
	return n
}

// place is what one place made of a probe.
type place struct {
	esc *escaping
	got string
}

// probed reads, from a part rendered with a probe in every text, what
// each place made of the probe; nothing if the part's places do not line
// up with the skeleton's.
func probed(ps pieces, out string) []place {
	var found []place
	rest := out
	for _, p := range ps {
		if p.text < 0 {
			continue
		}
		open := strings.Index(rest, placeholders[p.text])
		if open < 0 {
			return nil
		}
		rest = rest[open+placeholderLen:]
		end := strings.Index(rest, closers[p.text])
		if end < 0 {
			return nil
		}
		found = append(found, place{p.esc, rest[:end]})
		rest = rest[end+placeholderLen:]
	}
	if strings.Contains(rest, "qXzJ") {
		return nil
	}
	return found
}

// check renders the message itself, and texts full of what escapers
// change, both ways: a skeleton is used only if they agree.
func (sk *skeleton) check(c *Catalog, kindName, lang string, p any, texts []*string, values []string) bool {
	samples := [][]string{values, make([]string, len(values))}
	for i, v := range values {
		if v != "" {
			samples[1][i] = "https://a.example/p?q=1&r=é é <b>\"x\" 'y' + 😀 :" + v
		}
	}
	for _, vs := range samples {
		setTexts(texts, vs, func(i int) string { return vs[i] })
		want, err := c.execute(kindName, lang, p)
		setTexts(texts, values, nil)
		if err != nil {
			return false
		}
		got, ok := sk.fill(vs)
		if ok && !sameEmail(got, want) {
			return false
		}
	}
	return true
}

func sameEmail(a, b Email) bool {
	return a.Subject == b.Subject && a.HTML == b.HTML && a.Text == b.Text &&
		(a.Headers == nil) == (b.Headers == nil) && maps.Equal(a.Headers, b.Headers)
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
