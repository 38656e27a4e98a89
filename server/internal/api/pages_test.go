package api_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// signValues is a valid sign form as a browser posts it.
func signValues(token, name, email string) url.Values {
	return url.Values{"form_token": {token}, "lang": {"en"}, "name": {name}, "email": {email},
		"country": {"Belarus"}, "visibility": {"private"}, "consent": {"on"}}
}

var scriptTag = regexp.MustCompile(`(?is)<script\b[^>]*>`)

func TestCampaignPageIsCompleteWithoutJavaScript(t *testing.T) {
	pagesEach(t, nil, func(t *testing.T, e *env, _ *clock) {
		r := e.page(demoPage, map[string]string{"Accept-Language": "be-BY,be;q=0.9,en;q=0.5"}).wantStatus(t, 200)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Fatalf("Content-Type = %q", ct)
		}
		r.wantText(t, `<html lang="be">`, "Адкрыта для подпісаў", "0 подпісаў", "Мэта: 10\u00a0000",
			"Заява", "Нашы заклікі", "Заява Беларускай нацыянальнай платформы", // the demo's own Belarusian translation
			"Безумоўна і неадкладна спыніць усе рэпрэсіі", // a call
			`<form method="post" action="/c/release-all-political-prisoners#sign"`, `name="consent"`,
			`<option value="Беларусь">`, `aria-pressed="true">Беларуская`)
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe-inline") {
			t.Fatalf("CSP = %q", csp)
		}
		for _, tag := range scriptTag.FindAllString(string(r.Body), -1) {
			if !strings.Contains(tag, ` src="/`) {
				t.Fatalf("an inline script: %s", tag)
			}
		}
		if !strings.Contains(r.Header.Get("Vary"), "Accept-Language") {
			t.Fatalf("Vary = %q", r.Header.Get("Vary"))
		}

		// The switcher's ?lang= wins over the browser, and is remembered.
		ru := e.page(demoPage+"?lang=ru", map[string]string{"Accept-Language": "be"}).wantStatus(t, 200)
		ru.wantText(t, `<html lang="ru">`, "Открыта для подписей", "0 подписей")
		var remembered *http.Cookie
		for _, c := range (&http.Response{Header: ru.Header}).Cookies() {
			if c.Name == "lang" {
				remembered = c
			}
		}
		if remembered == nil || remembered.Value != "ru" || remembered.HttpOnly {
			t.Fatalf("lang cookie = %v (the SPA reads it too)", remembered)
		}
		e.do(req{method: "GET", path: demoPage, cookies: []*http.Cookie{{Name: "lang", Value: "en"}}, headers: map[string]string{"Accept-Language": "ru"}}).
			wantText(t, `<html lang="en">`, "Open for signatures", "0 signatures", "Goal: 10,000")

		for _, path := range []string{"/", "/privacy", demoPage + "/endorse", "/confirm/x", "/withdraw/x", "/unsubscribe/x", "/endorse/confirm/x"} {
			e.page(path+"?lang=be", nil).wantStatus(t, 200).wantText(t, `<html lang="be">`, `<main id="main"`)
		}
		e.page("/c/no-such-campaign", nil).wantStatus(t, 404).wantText(t, "Page not found")
	})
}

func TestLinkPreviewTagsInTheFirstResponse(t *testing.T) {
	pagesEach(t, nil, func(t *testing.T, e *env, _ *clock) {
		editor := e.token("editor")
		calls := e.get(demo, "").wantStatus(t, 200).JSON(t)["translations"].(map[string]any)["be"].(map[string]any)["calls"]
		e.send("PATCH", "/api/v1/admin/campaigns/release-all-political-prisoners", editor, map[string]any{
			"translations": map[string]any{"be": map[string]any{"title": "Заява аб вызваленні палітвязняў", "summary": "Вызваліць усіх & адразу.", "body": "Тэкст.", "calls": calls}},
		}).wantStatus(t, 200)
		base := e.cfg.PublicURL.String() + demoPage
		for _, c := range []struct{ lang, title, summary, locale string }{
			{"be", "Заява аб вызваленні палітвязняў", "Вызваліць усіх & адразу.", "be_BY"},
			{"en", "Statement of the Belarusian National Platform", "On September 11, 2025, 52 people were released", "en_GB"},
		} {
			r := e.page(demoPage+"?lang="+c.lang, nil).wantStatus(t, 200)
			r.wantText(t,
				"<title>"+c.title,
				`<meta name="description" content="`+c.summary,
				`<link rel="canonical" href="`+base+"?lang="+c.lang+`">`,
				`<link rel="alternate" hreflang="be" href="`+base+`?lang=be">`,
				`<meta property="og:type" content="article">`,
				`<meta property="og:title" content="`+c.title,
				`<meta property="og:description" content="`+c.summary,
				`<meta property="og:url" content="`+base+"?lang="+c.lang+`">`,
				`<meta property="og:locale" content="`+c.locale+`">`,
				`<meta property="og:image" content="`+base+"/share.png?lang="+c.lang+`">`,
				`<meta property="og:image:alt" content="`+c.title,
				`<meta name="twitter:card" content="summary_large_image">`,
				`<meta name="twitter:title" content="`+c.title,
			)
			img := e.page(demoPage+"/share.png?lang="+c.lang, nil).wantStatus(t, 200)
			if img.Header.Get("Content-Type") != "image/png" || len(img.Body) < 1000 || string(img.Body[1:4]) != "PNG" {
				t.Fatalf("share image: %s, %d bytes", img.Header.Get("Content-Type"), len(img.Body))
			}
			// Nothing in the page is loaded from another origin.
			for _, m := range regexp.MustCompile(`(?i)\s(?:src|href)="([^"#]*)"`).FindAllStringSubmatch(string(r.Body), -1) {
				u := m[1]
				if strings.HasPrefix(u, "//") || (strings.Contains(u, "://") && !strings.HasPrefix(u, e.cfg.PublicURL.String()) && !strings.HasPrefix(u, "https://")) {
					t.Errorf("a reference to another origin: %s", u)
				}
			}
		}
	})
}

func TestSignFormWithoutJavaScript(t *testing.T) {
	pagesEachWithMail(t, nil, func(t *testing.T, e *mailEnv, clk *clock) {
		page := e.page(demoPage+"?ref=partner-one", map[string]string{"Accept-Language": "be"}).wantStatus(t, 200)
		clk.Wait(5 * time.Second) // a person reads and types
		v := signValues(formToken(t, page.Body), "Алена Кавалёва", "alena@example.org")
		v.Set("lang", "be")
		v.Set("ref", "partner-one")
		v.Set("visibility", "initials")
		v.Set("comment", "Свабоду ўсім!")
		done := e.postForm(demoPage, v, nil).wantStatus(t, 200)
		done.wantText(t, `<html lang="be">`, "Праверце пошту", "alena@example.org")
		if strings.Contains(done.text(), `name="form_token"`) {
			t.Fatal("the answer shows the form again")
		}
		msg := e.waitMail(t, "alena@example.org", 1)[0]
		confirm := linkIn(t, msg.Text, e.cfg.PublicURL.String()+"/confirm/")
		withdraw := linkIn(t, msg.Text, e.cfg.PublicURL.String()+"/withdraw/")
		n, err := e.db.CountWhere(t.Context(), "signatures", "country = ? AND visibility = ? AND ref_code = ? AND flagged = ?", "BY", "initials", "partner-one", false)
		if err != nil || n != 1 {
			t.Fatalf("stored signature as asked: %d, %v", n, err)
		}

		// The link in the email: a page that asks, a form that confirms.
		ask := e.page("/confirm/"+confirm+"?lang=be", nil).wantStatus(t, 200)
		ask.wantText(t, "Пацвердзіце подпіс")
		if e.signatureCount(t) != 0 {
			t.Fatal("opening the link confirmed the signature: mail scanners would")
		}
		e.postForm("/confirm/"+confirm, url.Values{"form_token": {formToken(t, ask.Body)}, "lang": {"be"}}, nil).
			wantStatus(t, 200).wantText(t, `href="/c/release-all-political-prisoners"`, `<output class="receipt-code" data-receipt>`)
		if got := e.signatureCount(t); got != 1 {
			t.Fatalf("count after the confirm form = %v", got)
		}
		e.page(demoPage+"?lang=en", nil).wantText(t, "1 signature")

		ask = e.page("/withdraw/"+withdraw, nil).wantStatus(t, 200)
		e.postForm("/withdraw/"+withdraw, url.Values{"form_token": {formToken(t, ask.Body)}}, nil).
			wantStatus(t, 200).wantText(t, "Your signature has been withdrawn")
		if got := e.signatureCount(t); got != 0 || e.count("signatures") != 0 {
			t.Fatalf("after withdrawing: count %v, %d rows", got, e.count("signatures"))
		}
		ask = e.page("/withdraw/"+withdraw, nil)
		e.postForm("/withdraw/"+withdraw, url.Values{"form_token": {formToken(t, ask.Body)}}, nil).
			wantStatus(t, 404).wantText(t, "This withdrawal link does not work")
	})
}

func TestSignFormBadInputs(t *testing.T) {
	pagesEach(t, nil, func(t *testing.T, e *env, clk *clock) {
		cases := []struct {
			name, field, want string
			edit              func(url.Values)
		}{
			{"no name for a public signature", "name", "Enter your name.", func(v url.Values) { v.Del("name"); v.Set("visibility", "public") }},
			{"name too long", "name", "Enter your name in ordinary letters, at most 100 characters.", func(v url.Values) { v.Set("name", strings.Repeat("x", 101)) }},
			{"name with a NUL", "name", "Enter your name in ordinary letters", func(v url.Values) { v.Set("name", "Alena\x00K") }},
			{"no email", "email", "Enter your email address.", func(v url.Values) { v.Set("email", " ") }},
			{"bad email", "email", "This email address cannot receive mail.", func(v url.Values) { v.Set("email", "alena@") }},
			{"no country", "country", "Choose the country where you live.", func(v url.Values) { v.Del("country") }},
			{"unknown country", "country", "Choose a country from the list.", func(v url.Values) { v.Set("country", "Narnia") }},
			{"comment too long", "comment", "Use at most 500 characters of ordinary text.", func(v url.Values) { v.Set("comment", strings.Repeat("c", 501)) }},
			{"bad visibility", "visibility", "Choose how your signature appears.", func(v url.Values) { v.Set("visibility", "everyone") }},
			{"no consent", "consent", "Tick this box to sign.", func(v url.Values) { v.Del("consent") }},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				page := e.page(demoPage, nil)
				clk.Wait(5 * time.Second)
				v := signValues(formToken(t, page.Body), "Alena Kavalenka", "alena@example.org")
				c.edit(v)
				r := e.postForm(demoPage, v, nil).wantStatus(t, 422)
				r.wantText(t, `<p class="field-error" id="sign-`+c.field+`-error">`+c.want, "Please correct the fields marked above.")
				if c.field != "visibility" && !strings.Contains(r.text(), `id="sign-`+c.field+`"`) {
					t.Fatal("no field")
				}
				if c.field != "name" && !strings.Contains(r.text(), `value="Alena Kavalenka"`) {
					t.Fatal("the name typed is not kept")
				}
			})
		}
		// The same in Belarusian, as the page was.
		page := e.page(demoPage+"?lang=be", nil)
		clk.Wait(5 * time.Second)
		v := signValues(formToken(t, page.Body), "", "alena@example.org")
		v.Set("lang", "be")
		v.Set("visibility", "initials") // a private signature may be nameless (count-only)
		e.postForm(demoPage, v, nil).wantStatus(t, 422).wantText(t, `<html lang="be">`, `id="sign-name-error">Увядзіце імя.`)

		e.postForm("/c/no-such", signValues("x", "A B", "a@example.org"), nil).wantStatus(t, 404)
		e.do(req{method: "POST", path: demoPage, raw: `{"name":"x"}`, contentType: "application/json"}).wantError(t, 415, "unsupported_media_type")
		if n := e.count("intake") + e.count("signatures") + e.count("mail_messages"); n != 0 {
			t.Fatalf("bad inputs wrote %d rows", n)
		}
	})
}

func TestFormTokenAndCrossSiteGuards(t *testing.T) {
	pagesEach(t, nil, func(t *testing.T, e *env, clk *clock) {
		page := e.page(demoPage, nil)
		token := formToken(t, page.Body)

		// Posted at once, as a script does: refused, with a fresh token.
		r := e.postForm(demoPage, signValues(token, "Quick Bot", "bot@example.org"), nil).wantStatus(t, 422)
		r.wantText(t, "The form was sent very soon after the page opened", `value="Quick Bot"`)
		if formToken(t, r.Body) == token {
			t.Fatal("the refused form kept its token")
		}
		clk.Wait(5 * time.Second)
		for _, c := range []struct {
			name    string
			token   string
			headers map[string]string
			status  int
			want    string
		}{
			{"no token", "", nil, 422, "This form could not be accepted"},
			{"a forged token", strings.Repeat("A", 43), nil, 422, "This form could not be accepted"},
			{"the endorse form's token", formToken(t, e.page(demoPage+"/endorse", nil).Body), nil, 422, "This form could not be accepted"},
			{"a cross-site post", token, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403, "This form came from another website"},
			{"a same-site post from a sister domain", token, map[string]string{"Sec-Fetch-Site": "same-site"}, 403, "This form came from another website"},
			{"another origin", token, map[string]string{"Sec-Fetch-Site": "", "Origin": "https://evil.example"}, 403, "This form came from another website"},
		} {
			t.Run(c.name, func(t *testing.T) {
				e.postForm(demoPage, signValues(c.token, "Alena K", "alena@example.org"), c.headers).wantStatus(t, c.status).wantText(t, c.want)
			})
		}
		if n := e.count("intake") + e.count("signatures") + e.count("mail_messages"); n != 0 {
			t.Fatalf("refused posts wrote %d rows", n)
		}
		// Our own origin, or none (older browsers), passes; the token then works once.
		e.postForm(demoPage, signValues(token, "Alena K", "alena@example.org"), map[string]string{"Sec-Fetch-Site": "", "Origin": e.cfg.PublicURL.String()}).
			wantStatus(t, 200).wantText(t, "Check your email")
		e.postForm(demoPage, signValues(token, "Alena K", "other@example.org"), nil).wantStatus(t, 422).wantText(t, "it may have been sent twice")
		e.settle()
		if n := e.count("signatures"); n != 1 {
			t.Fatalf("%d signatures, want 1", n)
		}
		// Every plain form is guarded alike (the routes table puts the check
		// before each of them): a cross-site post with its own token is
		// refused, and writes nothing.
		for _, path := range []string{demoPage + "/endorse", "/confirm/whatever", "/withdraw/whatever", "/unsubscribe/whatever", "/endorse/confirm/whatever"} {
			e.postForm(path, url.Values{"form_token": {formToken(t, e.page(path, nil).Body)}}, map[string]string{"Sec-Fetch-Site": "cross-site"}).
				wantStatus(t, 403).wantText(t, "This form came from another website")
		}
		if n := e.count("intake") + e.count("endorsements") + e.count("mail_messages"); n != 1 {
			t.Fatalf("refused posts wrote %d rows, want the one confirmation email", n)
		}
		e.postForm("/confirm/whatever", url.Values{"form_token": {"nope"}}, nil).wantStatus(t, 422).wantText(t, "This form could not be accepted")
	})
}

// TestNoJSAbuseFigures is the figure of docs/nojs.md: how many
// confirmation emails one client (one address) can make the server send
// through the form. Within the API's 10-minute window it is 60, then 429;
// past the fifth, its signatures are accepted but flagged for review.
func TestNoJSAbuseFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		accepted, mails, flagged := abuseFigures(t, db)
		t.Logf("one client: %d signatures accepted, %d confirmation emails queued, %d flagged for review, then 429", accepted, mails, flagged)
		if accepted != 60 || mails != 60 || flagged != 55 {
			t.Fatalf("accepted %d, mails %d, flagged %d; want 60, 60, 55", accepted, mails, flagged)
		}
	})
}

// abuseFigures posts the sign form as one client until it is refused, and
// counts what was accepted, queued and flagged.
func abuseFigures(t *testing.T, db storetest.DB) (accepted int, mails, flagged int64) {
	e := newEnv(t, db, func(c *config.Config) { c.RateLimits = true })
	clk := withFormClock(t, e, db, nil)
	for i := 0; ; i++ {
		// Every post needs its own rendered form, aged; a bot can fetch
		// them in parallel, so the age bounds latency, not throughput.
		tok := formToken(t, e.page(demoPage, nil).Body)
		clk.Wait(4 * time.Second)
		r := e.postForm(demoPage, signValues(tok, "Same Client", "client"+strings.Repeat("x", i%3)+string(rune('a'+i%26))+string(rune('a'+i/26))+"@example.org"), nil)
		if r.Status == 429 {
			if r.Header.Get("Retry-After") == "" || !strings.Contains(r.text(), "Too many signatures have come from your connection") {
				t.Fatalf("429 without Retry-After or message: %s", r.Body)
			}
			break
		}
		r.wantStatus(t, 200)
		accepted++
		if i > 200 {
			t.Fatal("no limit after 200 posts")
		}
	}
	e.settle()
	mails = e.count("mail_messages")
	flagged, err := e.db.CountWhere(t.Context(), "signatures", "flagged = ?", true)
	if err != nil {
		t.Fatal(err)
	}
	return accepted, mails, flagged
}
