package api_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/api"
	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/formtoken"
	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

const demoPage = "/c/release-all-political-prisoners"

// clock is the form tokens' clock in a test: a person "waits" by moving it.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Wait(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// withFormClock rebuilds e's app with form tokens on a clock of the
// test's own, so that a test can let a form age without sleeping.
func withFormClock(t *testing.T, e *env, db storetest.DB, mail api.Notifier) *clock {
	t.Helper()
	clk := &clock{now: time.Now()}
	forms, err := formtoken.New(privacy.NewKeys(e.cfg.DataKey).Derive("form"), db.SpendOnce)
	if err != nil {
		t.Fatal(err)
	}
	forms.SetClock(clk.Now)
	deps := testDeps(t, e.cfg, db, e.tokens)
	deps.Forms, deps.Mail = forms, mail
	if mail != nil {
		deps.Intake.Mail = mail
	}
	e.app = api.New(deps)
	return clk
}

// pagesEach runs fn per database with an env whose forms age on a clock.
func pagesEach(t *testing.T, adjust func(*config.Config), fn func(t *testing.T, e *env, clk *clock)) {
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		e := newEnv(t, db, adjust)
		fn(t, e, withFormClock(t, e, db, nil))
	})
}

// pagesEachWithMail is pagesEach with mail going to a real SMTP server.
func pagesEachWithMail(t *testing.T, adjust func(*config.Config), fn func(t *testing.T, e *mailEnv, clk *clock)) {
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		e := newMailEnv(t, db, adjust)
		fn(t, e, withFormClock(t, e.env, db, e.queue))
	})
}

var formTokenField = regexp.MustCompile(`name="form_token" value="([^"]+)"`)

// formToken is the form token of a rendered page.
func formToken(t *testing.T, page []byte) string {
	t.Helper()
	m := formTokenField.FindSubmatch(page)
	if m == nil {
		t.Fatalf("no form token in the page:\n%s", page)
	}
	return string(m[1])
}

// page GETs a server-rendered page.
func (e *env) page(path string, headers map[string]string) response {
	e.t.Helper()
	return e.do(req{method: "GET", path: path, headers: headers})
}

// postForm posts a URL-encoded form as a browser on our own page does.
func (e *env) postForm(path string, form url.Values, headers map[string]string) response {
	e.t.Helper()
	h := map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "null"}
	for k, v := range headers {
		h[k] = v
	}
	return e.do(req{method: "POST", path: path, raw: form.Encode(), contentType: "application/x-www-form-urlencoded", headers: h})
}

// text is a page's HTML with its entities decoded, to look for strings in.
func (r response) text() string { return html.UnescapeString(string(r.Body)) }

func (r response) wantText(t *testing.T, want ...string) {
	t.Helper()
	body := r.text()
	for _, w := range want {
		if !strings.Contains(body, w) {
			if i := strings.Index(body, "<main"); i > 0 {
				body = body[i:] // the frame is the same on every page
			}
			t.Fatalf("the page (status %d) lacks %q:\n%s", r.Status, w, body)
		}
	}
}
