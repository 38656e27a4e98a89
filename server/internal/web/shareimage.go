package web

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// The share card's size: what Open Graph readers (Telegram, Signal,
// Facebook) show large, 1.91:1.
const (
	ShareWidth  = 1200
	ShareHeight = 630
)

var (
	shareFonts     struct{ title, small font.Face }
	shareFontsOnce sync.Once
	shareFontsErr  error
	// The site's colours (app.css): --accent behind, --paper for text.
	shareBack = color.RGBA{0x1d, 0x3b, 0x5a, 0xff}
	shareInk  = color.RGBA{0xfb, 0xfa, 0xf7, 0xff}
	shareSoft = color.RGBA{0xc9, 0xd6, 0xe3, 0xff}
)

// The Go fonts cover Latin and Cyrillic (Belarusian ў and і included),
// and are compiled in: nothing is fetched.
func loadShareFonts() error {
	shareFontsOnce.Do(func() {
		bold, err := opentype.Parse(gobold.TTF)
		if err != nil {
			shareFontsErr = err
			return
		}
		regular, err := opentype.Parse(goregular.TTF)
		if err != nil {
			shareFontsErr = err
			return
		}
		if shareFonts.title, err = opentype.NewFace(bold, &opentype.FaceOptions{Size: 58, DPI: 72, Hinting: font.HintingFull}); err != nil {
			shareFontsErr = err
			return
		}
		shareFonts.small, shareFontsErr = opentype.NewFace(regular, &opentype.FaceOptions{Size: 34, DPI: 72, Hinting: font.HintingFull})
	})
	return shareFontsErr
}

// ShareImage draws a campaign's link-preview card: its title, large, and
// under it a line such as the count, and the site's name: a PNG made here,
// so that a preview loads nothing from another origin.
func ShareImage(title, line, site string) ([]byte, error) {
	if err := loadShareFonts(); err != nil {
		return nil, fmt.Errorf("web: share image fonts: %w", err)
	}
	img := image.NewRGBA(image.Rect(0, 0, ShareWidth, ShareHeight))
	draw.Draw(img, img.Bounds(), &image.Uniform{shareBack}, image.Point{}, draw.Src)
	const margin = 72
	d := &font.Drawer{Dst: img, Src: &image.Uniform{shareInk}, Face: shareFonts.title}
	lines := wrap(d, title, ShareWidth-2*margin, 6)
	y := 120
	for _, l := range lines {
		d.Dot = fixed.P(margin, y)
		d.DrawString(l)
		y += 70
	}
	d.Face, d.Src = shareFonts.small, &image.Uniform{shareSoft}
	d.Dot = fixed.P(margin, ShareHeight-110)
	d.DrawString(line)
	d.Src = &image.Uniform{shareInk}
	d.Dot = fixed.P(margin, ShareHeight-60)
	d.DrawString(site)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("web: share image: %w", err)
	}
	return buf.Bytes(), nil
}

// wrap breaks text into at most maxLines lines no wider than width, the last
// one ending in "…" when the text does not fit.
func wrap(d *font.Drawer, text string, width, maxLines int) []string {
	fits := func(s string) bool { return d.MeasureString(s).Ceil() <= width }
	var lines []string
	cur := ""
	words := strings.Fields(text)
	for i, w := range words {
		next := strings.TrimSpace(cur + " " + w)
		if fits(next) {
			cur = next
			continue
		}
		if cur != "" {
			lines = append(lines, cur)
		}
		cur = w
		if len(lines) == maxLines-1 {
			rest := strings.Join(words[i:], " ")
			for !fits(rest+"…") && len([]rune(rest)) > 1 {
				r := []rune(rest)
				rest = strings.TrimSpace(string(r[:len(r)-1]))
			}
			if rest != strings.Join(words[i:], " ") {
				rest += "…"
			}
			return append(lines, rest)
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}
