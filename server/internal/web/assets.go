package web

import (
	"html/template"
	"io/fs"
	"regexp"
	"strings"
)

// Assets are the SPA's own script, stylesheet and preloads, as its built
// index.html loads them (Vite names them by content hash): a server page
// links the same files, so that it looks like the SPA and the SPA takes
// over where JavaScript runs.
type Assets struct {
	// Styles is the stylesheet and icon <link> tags, from index.html.
	Styles template.HTML
	// Scripts is the SPA's module script and its preloads: left out of
	// pages that answer a form post, which the SPA would not know.
	Scripts template.HTML
	// Styled reports whether there is a stylesheet (not with the stub SPA
	// that `go test` embeds).
	Styled bool
}

var assetTag = regexp.MustCompile(`(?i)<(?:script|link)\b[^>]*>(?:</script>)?`)
var sameOriginRef = regexp.MustCompile(`(?i)\s(?:src|href)="(/[^/"][^"]*)"`)

// ReadAssets finds, in the SPA's index.html, the tags that load its
// scripts and styles: module scripts with a same-origin src, and links to
// stylesheets, module preloads and the icon. Anything else (an inline
// script, another origin) is left out, so that a page can never carry more
// than the CSP allows.
func ReadAssets(spa fs.FS) Assets {
	if spa == nil {
		return Assets{}
	}
	index, err := fs.ReadFile(spa, "index.html")
	if err != nil {
		return Assets{}
	}
	var styles, scripts strings.Builder
	var a Assets
	for _, tag := range assetTag.FindAllString(string(index), -1) {
		lower := strings.ToLower(tag)
		if !sameOriginRef.MatchString(tag) {
			continue
		}
		b := &styles
		switch {
		case strings.HasPrefix(lower, "<script") && strings.Contains(lower, `type="module"`):
			b = &scripts
		case strings.HasPrefix(lower, "<link") && strings.Contains(lower, `rel="modulepreload"`):
			b = &scripts
		case strings.HasPrefix(lower, "<link") && strings.Contains(lower, `rel="stylesheet"`):
			a.Styled = true
		case strings.HasPrefix(lower, "<link") && strings.Contains(lower, `rel="icon"`):
		default:
			continue
		}
		b.WriteString(tag)
		b.WriteString("\n")
	}
	// Tags copied from our own build, filtered above.
	a.Styles = template.HTML(styles.String())   //nolint:gosec
	a.Scripts = template.HTML(scripts.String()) //nolint:gosec
	return a
}
