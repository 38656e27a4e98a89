package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"sync"
	"time"

	"github.com/bnp/undersigned/locale"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Page is what every page template reads: the frame (language, switcher,
// link-preview tags) and the page's own Body.
type Page struct {
	T         *T
	Languages []Language
	// Route names the page for the SPA (data-ssr) and the header's
	// aria-current: home, campaign, endorse, privacy, confirm, ...
	Route string
	// Path is the page's own path: the language switcher's form goes there.
	Path string
	// Ref is a partner's share code the switcher carries along.
	Ref string
	// Title, Description and Canonical are the page's <title>, meta
	// description and canonical URL; Preview adds Open Graph and Twitter tags.
	Title, Description, Canonical string
	Preview                       *Preview
	// Alternates are the page in each language, for hreflang links.
	Alternates []Alternate
	// TakeOver loads the SPA, which then takes the page over; pages that
	// answer a form post leave it out.
	TakeOver bool
	Assets   Assets
	Body     any
}

// Preview is a shared link's card: Open Graph and Twitter card tags.
type Preview struct {
	Type     string // website or article
	Title    string
	Summary  string
	URL      string
	Locale   string // og:locale, e.g. be_BY
	SiteName string
	// Image is the share card's address (ShareImage, served by us), with
	// its text alternative.
	Image, ImageAlt string
}

// Alternate is one language's address of the page.
type Alternate struct {
	Lang, URL string
}

// Renderer renders the page templates with the dictionaries.
type Renderer struct {
	dicts  dictionaries
	pages  map[string]*template.Template
	assets Assets
	trs    map[string]*T
}

// pageNames are the templates under templates/ beside the frame.
var pageNames = []string{"home", "campaign", "endorse", "privacy", "token", "notfound", "message"}

// New parses the templates and loads the dictionaries; spa is the built
// SPA whose assets the pages link (nil: unstyled pages).
func New(spa fs.FS) (*Renderer, error) {
	p, err := parsed()
	if err != nil {
		return nil, err
	}
	r := &Renderer{dicts: p.dicts, pages: p.pages, assets: ReadAssets(spa), trs: map[string]*T{}}
	for _, l := range Languages {
		r.trs[l.Code] = &T{Lang: l.Code, own: p.dicts[l.Code], en: p.dicts[Fallback], loc: locale.For(l.Code), byName: map[string]string{}}
	}
	return r, nil
}

// parsed reads the dictionaries and parses the page templates, once a
// process: both are embedded, read only once parsed, and a parsed
// template is safe to execute from many goroutines.
var parsed = sync.OnceValues(func() (struct {
	dicts dictionaries
	pages map[string]*template.Template
}, error) {
	var p struct {
		dicts dictionaries
		pages map[string]*template.Template
	}
	var err error
	if p.dicts, err = loadDictionaries(); err != nil {
		return p, err
	}
	frame, err := template.New("frame.html").Funcs(funcs).ParseFS(templateFiles, "templates/frame.html", "templates/forms.html")
	if err != nil {
		return p, fmt.Errorf("web: parse frame: %w", err)
	}
	p.pages = map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.Must(frame.Clone()).ParseFS(templateFiles, "templates/"+name+".html")
		if err != nil {
			return p, fmt.Errorf("web: parse %s: %w", name, err)
		}
		p.pages[name] = t
	}
	return p, nil
})

// Translator is the translator for lang (the fallback's for an unknown one).
func (r *Renderer) Translator(lang string) *T {
	if t, ok := r.trs[lang]; ok {
		return t
	}
	return r.trs[Fallback]
}

// Render renders the page template name with p, filling in the frame's
// common parts.
func (r *Renderer) Render(name string, p Page) ([]byte, error) {
	t, ok := r.pages[name]
	if !ok {
		return nil, fmt.Errorf("web: no page %q", name)
	}
	if p.T == nil {
		p.T = r.trs[Fallback]
	}
	p.Languages, p.Assets = Languages, r.assets
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "frame.html", p); err != nil {
		return nil, fmt.Errorf("web: render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// Locales are og:locale's values for our languages.
var Locales = map[string]string{"be": "be_BY", "ru": "ru_RU", "en": "en_GB"}

var funcs = template.FuncMap{
	// field is an input's id in a form: "sign-name".
	"field": func(form, name string) string { return form + "-" + name },
	// describedBy is an input's aria-describedby: its hint and its error.
	"describedBy": func(form, name string, hint bool, errs map[string]string) string {
		ids := ""
		if hint {
			ids = form + "-" + name + "-hint"
		}
		if errs[name] != "" {
			if ids != "" {
				ids += " "
			}
			ids += form + "-" + name + "-error"
		}
		return ids
	},
	"inc":  func(i int) int { return i + 1 },
	"list": func(s ...string) []string { return s },
	// dict passes several values to a sub-template: dict "T" $t "C" $c.
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
	"date": func(t *T, d time.Time) string { return t.Date(d) },
	"has": func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	},
}
