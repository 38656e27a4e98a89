package locale

import (
	"strconv"
	"strings"
)

// Plural names the CLDR cardinal plural form of a whole number n in the
// locale: "one", "few", "many" or "other" ("2 подпісы", "5 подпісаў").
func (l *Locale) Plural(n int64) string {
	if n < 0 {
		n = -n
	}
	for _, r := range l.plural {
		if r.match(n) {
			return r.form
		}
	}
	return "other"
}

// A pluralRule is one form's condition, in CLDR's syntax
// ("v = 0 and i % 10 = 2..4 and i % 100 != 12..14"), for whole numbers:
// the operands n and i are the number, v, w, f, t, c and e are zero.
type pluralRule struct {
	form string
	or   [][]pluralCondition
}

type pluralCondition struct {
	operand byte
	mod     int64
	negate  bool
	ranges  [][2]int64
}

var pluralOrder = []string{"zero", "one", "two", "few", "many"}

func compilePlurals(rules map[string]string) []pluralRule {
	var out []pluralRule
	for _, form := range pluralOrder {
		text, ok := rules[form]
		if !ok {
			continue
		}
		cond, _, _ := strings.Cut(text, "@") // drop the samples
		r := pluralRule{form: form}
		for _, alt := range strings.Split(cond, " or ") {
			var and []pluralCondition
			for _, part := range strings.Split(alt, " and ") {
				and = append(and, parseCondition(strings.TrimSpace(part)))
			}
			r.or = append(r.or, and)
		}
		out = append(out, r)
	}
	return out
}

func parseCondition(s string) pluralCondition {
	var c pluralCondition
	left, right, ok := strings.Cut(s, "!=")
	if ok {
		c.negate = true
	} else if left, right, ok = strings.Cut(s, "="); !ok {
		panic("locale: plural condition without = : " + s)
	}
	left = strings.TrimSpace(left)
	if op, mod, ok := strings.Cut(left, "%"); ok {
		left = strings.TrimSpace(op)
		c.mod = mustInt(mod)
	}
	c.operand = left[0]
	for _, item := range strings.Split(right, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(item), "..")
		if !isRange {
			hi = lo
		}
		c.ranges = append(c.ranges, [2]int64{mustInt(lo), mustInt(hi)})
	}
	return c
}

func mustInt(s string) int64 {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		panic("locale: plural rule: " + err.Error())
	}
	return v
}

func (r pluralRule) match(n int64) bool {
	for _, and := range r.or {
		all := true
		for _, c := range and {
			if !c.match(n) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

func (c pluralCondition) match(n int64) bool {
	v := int64(0) // visible fraction digits and the like: none in a whole number
	if c.operand == 'n' || c.operand == 'i' {
		v = n
	}
	if c.mod > 0 {
		v %= c.mod
	}
	in := false
	for _, r := range c.ranges {
		if v >= r[0] && v <= r[1] {
			in = true
			break
		}
	}
	return in != c.negate
}
