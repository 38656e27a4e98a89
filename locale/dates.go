package locale

import (
	"strconv"
	"strings"
	"time"
)

// Date writes t's calendar day in the style "long" ("1 снежня 2026 г."),
// "medium" or "short", in t's own location.
func (l *Locale) Date(t time.Time, style string) string {
	p, ok := l.data.Date[style]
	if !ok {
		p = l.data.Date["long"]
	}
	return l.Format(t, p)
}

// DateTime writes t as a medium date and a short time, in t's location.
func (l *Locale) DateTime(t time.Time) string {
	s := strings.Replace(l.data.DateTime, "{1}", l.Format(t, l.data.Date["medium"]), 1)
	return strings.Replace(s, "{0}", l.Format(t, l.data.Time["short"]), 1)
}

// Weekday names a day of the week as it stands alone ("аўторак").
func (l *Locale) Weekday(d time.Weekday) string { return l.data.WeekdaysStandalone[d] }

// Format writes t by a CLDR date pattern ("d MMMM y 'г'.", "h:mm a").
func (l *Locale) Format(t time.Time, pattern string) string {
	var b strings.Builder
	rs := []rune(pattern)
	for i := 0; i < len(rs); {
		c := rs[i]
		if c == '\'' {
			j := i + 1
			if j < len(rs) && rs[j] == '\'' { // '' is a quote
				b.WriteRune('\'')
				i += 2
				continue
			}
			for j < len(rs) && rs[j] != '\'' {
				b.WriteRune(rs[j])
				j++
			}
			i = j + 1
			continue
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b.WriteRune(c)
			i++
			continue
		}
		j := i
		for j < len(rs) && rs[j] == c {
			j++
		}
		b.WriteString(l.field(t, c, j-i))
		i = j
	}
	return b.String()
}

func (l *Locale) field(t time.Time, c rune, width int) string {
	pad := func(n int) string {
		s := strconv.Itoa(n)
		for len(s) < width {
			s = "0" + s
		}
		return s
	}
	switch c {
	case 'y':
		if width == 2 {
			return pad(t.Year() % 100)
		}
		return strconv.Itoa(t.Year())
	case 'M', 'L':
		m := int(t.Month()) - 1
		switch {
		case width >= 4:
			return l.data.Months[m]
		case width == 3:
			return l.data.MonthsShort[m]
		}
		return pad(m + 1)
	case 'd':
		return pad(t.Day())
	case 'E', 'c':
		return l.data.WeekdaysStandalone[t.Weekday()]
	case 'H':
		return pad(t.Hour())
	case 'h':
		h := t.Hour() % 12
		if h == 0 {
			h = 12
		}
		return pad(h)
	case 'm':
		return pad(t.Minute())
	case 's':
		return pad(t.Second())
	case 'a':
		if t.Hour() < 12 {
			return l.data.DayPeriods.AM
		}
		return l.data.DayPeriods.PM
	}
	return ""
}
