package api_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
)

func endorseValues(token string) url.Values {
	return url.Values{"form_token": {token}, "lang": {"en"}, "organization": {"Free Unions of Belarus"}, "org_type": {"trade_union"},
		"country": {"Lithuania"}, "contact_name": {"Maryna Kontakt"}, "contact_email": {"maryna@example.org"}, "scope": {"all"}}
}

func TestEndorseFormWithoutJavaScript(t *testing.T) {
	pagesEachWithMail(t, nil, func(t *testing.T, e *mailEnv, clk *clock) {
		page := e.page(demoPage+"/endorse?lang=be", nil).wantStatus(t, 200)
		page.wantText(t, "Падтрымаць ад імя арганізацыі", `<select id="endorse-org_type" name="org_type"`)
		calls := e.get(demo, "").JSON(t)["calls"].([]any)
		second := calls[1].(map[string]any)["id"].(string)
		clk.Wait(10 * time.Second)
		v := endorseValues(formToken(t, page.Body))
		v.Set("lang", "be")
		v.Set("scope", "some")
		v.Set("calls", second)
		v.Set("website", "unions.example.org")
		v.Set("statement", "Мы падтрымліваем.")
		e.postForm(demoPage+"/endorse", v, nil).wantStatus(t, 200).wantText(t, "maryna@example.org")
		msg := e.waitMail(t, "maryna@example.org", 1)[0]
		link := linkIn(t, msg.Text, e.cfg.PublicURL.String()+"/endorse/confirm/")

		ask := e.page("/endorse/confirm/"+link, nil).wantStatus(t, 200)
		e.postForm("/endorse/confirm/"+link, url.Values{"form_token": {formToken(t, ask.Body)}}, nil).
			wantStatus(t, 200).wantText(t, "Thank you: the endorsement is confirmed")
		id := e.endorsementID(t, "Free Unions of Belarus")
		e.send("POST", "/api/v1/admin/endorsements/"+id+"/approve", e.token(store.RoleModerator), nil).wantStatus(t, 200)

		// The campaign page lists it, with the one call it chose.
		e.page(demoPage+"?lang=en", nil).wantStatus(t, 200).wantText(t,
			"1 organisation has endorsed this statement", "Organisations that endorse the statement",
			"<h3>Free Unions of Belarus</h3>", "Trade union · Lithuania", `href="https://unions.example.org"`,
			"Endorses these calls:", "Мы падтрымліваем.")
	})
}

func TestEndorseFormBadInputs(t *testing.T) {
	pagesEach(t, nil, func(t *testing.T, e *env, clk *clock) {
		for _, c := range []struct {
			name, field, want string
			edit              func(url.Values)
		}{
			{"no organisation", "organization", "Enter the name of the organisation.", func(v url.Values) { v.Del("organization") }},
			{"organisation too short", "organization", "Enter the name in 2 to 200 characters of ordinary text.", func(v url.Values) { v.Set("organization", "X") }},
			{"no kind", "org_type", "Choose the kind of organisation.", func(v url.Values) { v.Del("org_type") }},
			{"unknown kind", "org_type", "Choose the kind of organisation.", func(v url.Values) { v.Set("org_type", "cartel") }},
			{"no country", "country", "Choose the country where the organisation is based.", func(v url.Values) { v.Del("country") }},
			{"unknown country", "country", "Choose a country from the list.", func(v url.Values) { v.Set("country", "Atlantis") }},
			{"bad website", "website", "Enter a web address like https://example.org", func(v url.Values) { v.Set("website", "ftp://x") }},
			{"no contact", "contact_name", "Enter the name of the contact person.", func(v url.Values) { v.Del("contact_name") }},
			{"no contact email", "contact_email", "Enter the contact email address.", func(v url.Values) { v.Del("contact_email") }},
			{"bad contact email", "contact_email", "This email address cannot receive mail.", func(v url.Values) { v.Set("contact_email", "maryna@") }},
			{"statement too long", "statement", "Use at most 1,000 characters of ordinary text.", func(v url.Values) { v.Set("statement", strings.Repeat("s", 1001)) }},
			{"some calls, none chosen", "calls", "Choose at least one call, or endorse the whole statement.", func(v url.Values) { v.Set("scope", "some") }},
			{"a call of another campaign", "calls", "Choose at least one call, or endorse the whole statement.", func(v url.Values) { v.Set("scope", "some"); v.Set("calls", "nope") }},
		} {
			t.Run(c.name, func(t *testing.T) {
				page := e.page(demoPage+"/endorse", nil)
				clk.Wait(5 * time.Second)
				v := endorseValues(formToken(t, page.Body))
				c.edit(v)
				r := e.postForm(demoPage+"/endorse", v, nil).wantStatus(t, 422)
				r.wantText(t, `<p class="field-error" id="endorse-`+c.field+`-error">`+c.want, "Please correct the fields marked above.")
			})
		}
		if n := e.count("endorsements") + e.count("mail_messages"); n != 0 {
			t.Fatalf("bad inputs wrote %d rows", n)
		}
	})
}

func TestUnsubscribeFormWithoutJavaScript(t *testing.T) {
	pagesEach(t, nil, func(t *testing.T, e *env, _ *clock) {
		email := e.officials(t, "eu", 1)[0]
		editor := e.token("editor")
		contact := e.get("/api/v1/admin/contacts?q="+url.QueryEscape(email), editor).JSON(t)["items"].([]any)[0].(map[string]any)
		token := privacy.NewKeys(e.cfg.DataKey).UnsubscribeToken(contact["id"].(string))

		ask := e.page("/unsubscribe/"+token+"?lang=ru", nil).wantStatus(t, 200)
		ask.wantText(t, `<html lang="ru">`)
		after := e.get("/api/v1/admin/contacts?q="+url.QueryEscape(email), editor).JSON(t)["items"].([]any)[0].(map[string]any)
		if after["subscribed"] != true {
			t.Fatal("opening the page unsubscribed: mail scanners would")
		}
		e.postForm("/unsubscribe/"+token, url.Values{"form_token": {formToken(t, ask.Body)}, "lang": {"ru"}}, nil).wantStatus(t, 200).wantText(t, `<html lang="ru">`)
		after = e.get("/api/v1/admin/contacts?q="+url.QueryEscape(email), editor).JSON(t)["items"].([]any)[0].(map[string]any)
		if after["subscribed"] != false {
			t.Fatalf("after the form: %v", after)
		}
		bad := e.page("/unsubscribe/not-a-token", nil)
		e.postForm("/unsubscribe/not-a-token", url.Values{"form_token": {formToken(t, bad.Body)}}, nil).
			wantStatus(t, 404).wantText(t, "This unsubscribe link does not work")
	})
}

const testOnion = "http://2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion"

func TestOnionLocationAndLinksToTheAddressUsed(t *testing.T) {
	onion, _ := url.Parse(testOnion)
	pagesEachWithMail(t, func(c *config.Config) { c.OnionURL = onion }, func(t *testing.T, e *mailEnv, clk *clock) {
		r := e.page(demoPage+"?lang=be", nil).wantStatus(t, 200)
		if got := r.Header.Get("Onion-Location"); got != testOnion+demoPage+"?lang=be" {
			t.Fatalf("Onion-Location = %q", got)
		}
		if got := e.page("/", nil).Header.Get("Onion-Location"); got != testOnion+"/" {
			t.Fatalf("Onion-Location of / = %q", got)
		}
		if got := e.get(demo, "").Header.Get("Onion-Location"); got != "" {
			t.Fatalf("the API names the onion: %q", got)
		}
		// A request to the onion service carries its host (a full URL sets it).
		if got := e.page(testOnion+demoPage, nil).Header.Get("Onion-Location"); got != "" {
			t.Fatalf("the onion service names itself: %q", got)
		}

		// Signed over Tor: the email's links stay on the onion address.
		page := e.page(testOnion+demoPage, nil)
		clk.Wait(5 * time.Second)
		e.postForm(testOnion+demoPage, signValues(formToken(t, page.Body), "Tor Signer", "tor@example.org"),
			map[string]string{"Origin": testOnion}).wantStatus(t, 200)
		tor := e.waitMail(t, "tor@example.org", 1)[0].Text
		linkIn(t, tor, testOnion+"/confirm/")
		linkIn(t, tor, testOnion+"/withdraw/")
		if strings.Contains(tor, e.cfg.PublicURL.String()+"/confirm/") {
			t.Fatal("the Tor signer's email links to the public address")
		}
		// Signed on the public address (by the JSON API too): public links.
		e.send("POST", demo+"/signatures", "", signBody("Web Signer", "web@example.org")).wantStatus(t, 202)
		web := e.waitMail(t, "web@example.org", 1)[0].Text
		linkIn(t, web, e.cfg.PublicURL.String()+"/confirm/")
		if strings.Contains(web, ".onion") {
			t.Fatal("a clearnet signer's email links to the onion")
		}
		// An endorsement over Tor too.
		ep := e.page(testOnion+demoPage+"/endorse", nil)
		clk.Wait(10 * time.Second)
		e.postForm(testOnion+demoPage+"/endorse", endorseValues(formToken(t, ep.Body)), nil).wantStatus(t, 200)
		linkIn(t, e.waitMail(t, "maryna@example.org", 1)[0].Text, testOnion+"/endorse/confirm/")
	})
}
