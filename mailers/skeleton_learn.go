package mailers

import (
	"maps"
	"strings"
	"unicode/utf8"
)

// How a skeleton is made: rendered with placeholders, then once more with
// every probe character in every text, to learn what each place makes of
// each character; then checked against the templates (skeleton.go).

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
