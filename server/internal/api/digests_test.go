package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/smtptest"
	"github.com/bnp/undersigned/server/internal/store"
)

// officials creates n subscribed contacts of a region and returns their
// addresses.
func (e *env) officials(t *testing.T, region string, n int) []string {
	t.Helper()
	var emails []string
	editor := e.token("editor")
	for i := 0; i < n; i++ {
		email := fmt.Sprintf("%s-official-%03d@example.org", region, i)
		e.send("POST", "/api/v1/admin/contacts", editor, contactBody(fmt.Sprintf("Official %d", i), email, region)).wantStatus(t, 201)
		emails = append(emails, email)
	}
	return emails
}

func (e *env) draftDigest(t *testing.T, region string) string {
	t.Helper()
	d := e.send("POST", "/api/v1/admin/digests", e.token("editor"), map[string]any{
		"region": region, "campaigns": []string{"release-all-political-prisoners"},
		"subject": "Weekly update", "intro": "Dear colleagues, **thank you**.",
	}).wantStatus(t, 201).JSON(t)
	return d["id"].(string)
}

// waitDigest waits until the digest's status is sent and returns it.
func (e *env) waitDigest(t *testing.T, id string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	editor := e.token("editor")
	for {
		d := e.get("/api/v1/admin/digests/"+id, editor).wantStatus(t, 200).JSON(t)
		if d["status"] == "sent" {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("digest still %v: %v", d["status"], d["counts"])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestEUDigestReachesSubscribedEUContactsWithEUCalls(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		eu := e.officials(t, "eu", 3)
		us := e.officials(t, "us", 2)
		for i := 0; i < 6; i++ {
			e.signAndConfirm(t, signBody(fmt.Sprintf("Signer %d", i), fmt.Sprintf("signer%d@example.org", i)))
		}
		signatureMails := len(e.smtp.Messages())
		editor := e.token("editor")
		// One EU official unsubscribed before the digest.
		list := e.get("/api/v1/admin/contacts?q=eu-official-002", editor).JSON(t)["items"].([]any)
		e.send("PATCH", "/api/v1/admin/contacts/"+list[0].(map[string]any)["id"].(string), editor, map[string]any{"subscribed": false}).wantStatus(t, 200)

		id := e.draftDigest(t, "eu")
		sent := e.send("POST", "/api/v1/admin/digests/"+id+"/send", editor, nil).wantStatus(t, 202).JSON(t)
		if sent["recipients"] != float64(2) {
			t.Fatalf("send = %v, want 2 recipients", sent)
		}
		d := e.waitDigest(t, id)
		counts := d["counts"].(map[string]any)
		if counts["recipients"] != float64(2) || counts["sent"] != float64(2) || counts["pending"] != float64(0) {
			t.Fatalf("counts = %v", counts)
		}
		if got := len(e.smtp.Messages()) - signatureMails; got != 2 {
			t.Fatalf("%d digest emails, want 2", got)
		}
		for _, rcpt := range []string{eu[2], us[0], us[1]} {
			if len(e.smtp.To(rcpt)) != 0 {
				t.Fatalf("%s got the EU digest", rcpt)
			}
		}
		m := e.smtp.To(eu[0])[0]
		h := m.Header
		if h.Get("Subject") != "Weekly update" || !strings.Contains(h.Get("List-Unsubscribe"), "/api/v1/contacts/unsubscribe?token=") ||
			strings.Contains(h.Get("List-Unsubscribe"), "mailto:") || h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" ||
			!strings.HasPrefix(h.Get("Message-Id"), "<digest-"+id+"-") {
			t.Fatalf("headers: %v", h)
		}
		for _, part := range []string{m.Text, m.HTML} {
			if !strings.Contains(part, "To continue and intensify diplomatic efforts") {
				t.Fatal("a part lacks a call addressed to the EU")
			}
			if strings.Contains(part, "unconditionally and immediately stop all repression") {
				t.Fatal("a part carries a call addressed only to the Belarusian authorities")
			}
			if !strings.Contains(part, "6") || !strings.Contains(part, "Belarus") || !strings.Contains(part, "/c/release-all-political-prisoners") {
				t.Fatal("a part lacks the count, the country or the link")
			}
		}
		if !strings.Contains(m.HTML, "<strong>thank you</strong>") || !strings.Contains(m.Text, "first update") {
			t.Fatalf("intro or first-digest line missing")
		}
		audit := string(mustJSON(t, e.get("/api/v1/admin/audit", e.token("admin")).JSON(t)))
		if !strings.Contains(audit, `"action":"digest.send"`) || !strings.Contains(audit, `"rows":2`) {
			t.Fatalf("the send is not audited with its recipients: %s", audit)
		}
		if !strings.Contains(audit, `"target_name":"Weekly update"`) {
			t.Fatalf("the audit log names the digest by its id only: %s", audit)
		}

		// The next digest counts from the first one.
		e.signAndConfirm(t, signBody("Late Signer", "late@example.org"))
		second := e.draftDigest(t, "eu")
		e.send("POST", "/api/v1/admin/digests/"+second+"/send", editor, nil).wantStatus(t, 202)
		e.waitDigest(t, second)
		latest := e.smtp.To(eu[0])
		if txt := latest[len(latest)-1].Text; !strings.Contains(txt, "1 new since the last update") || !strings.Contains(txt, "7 confirmed") {
			t.Fatalf("second digest:\n%s", txt)
		}
	})
}

func TestOneClickUnsubscribe(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		eu := e.officials(t, "eu", 2)
		id := e.draftDigest(t, "eu")
		e.send("POST", "/api/v1/admin/digests/"+id+"/send", e.token("editor"), nil).wantStatus(t, 202)
		e.waitDigest(t, id)
		header := e.smtp.To(eu[0])[0].Header.Get("List-Unsubscribe")
		start := strings.Index(header, "<http")
		end := strings.Index(header[start:], ">")
		u, err := url.Parse(header[start+1 : start+end])
		if err != nil {
			t.Fatal(err)
		}
		// RFC 8058: the mail client posts the form body to the header's URL.
		r := e.do(req{method: "POST", path: u.RequestURI(), raw: "List-Unsubscribe=One-Click", contentType: "application/x-www-form-urlencoded"})
		r.wantStatus(t, 200)
		e.do(req{method: "POST", path: u.RequestURI(), raw: "List-Unsubscribe=One-Click", contentType: "application/x-www-form-urlencoded"}).wantStatus(t, 200)
		e.send("POST", "/api/v1/contacts/unsubscribe", "", map[string]string{"token": "not-a-token-of-anyone-here"}).wantError(t, 404, "not_found")
		e.do(req{method: "POST", path: u.RequestURI(), raw: "List-Unsubscribe=Maybe", contentType: "application/x-www-form-urlencoded"}).wantError(t, 422, "validation_failed")

		second := e.draftDigest(t, "eu")
		e.send("POST", "/api/v1/admin/digests/"+second+"/send", e.token("editor"), nil).wantStatus(t, 202)
		e.waitDigest(t, second)
		if len(e.smtp.To(eu[0])) != 1 || len(e.smtp.To(eu[1])) != 2 {
			t.Fatalf("after unsubscribing: %d and %d digests", len(e.smtp.To(eu[0])), len(e.smtp.To(eu[1])))
		}
		// Staff may write to them again only with a recorded reason.
		editor := e.token("editor")
		cid := e.get("/api/v1/admin/contacts?q="+url.QueryEscape(eu[0]), editor).JSON(t)["items"].([]any)[0].(map[string]any)["id"].(string)
		e.send("PATCH", "/api/v1/admin/contacts/"+cid, editor, map[string]any{"subscribed": true}).wantError(t, 422, "validation_failed")
		back := e.send("PATCH", "/api/v1/admin/contacts/"+cid, editor, map[string]any{"subscribed": true, "resubscribe_reason": "asked by phone on 2026-11-20"}).wantStatus(t, 200).JSON(t)
		if back["subscribed"] != true {
			t.Fatalf("resubscribe = %v", back)
		}
	})
}

func TestDigestExactlyOnceDespite451AndDoubleSend(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		eu := e.officials(t, "eu", 12)
		e.smtp.SetReply(func(rcpt string, attempt int) error {
			if attempt == 1 && strings.HasSuffix(strings.Split(rcpt, "@")[0], "3") {
				return smtptest.Temporary
			}
			return nil
		})
		id := e.draftDigest(t, "eu")
		editor := e.token("editor")
		var wg sync.WaitGroup
		for i := 0; i < 3; i++ { // three clicks, as from two instances and an impatient editor
			wg.Add(1)
			go func() {
				defer wg.Done()
				e.send("POST", "/api/v1/admin/digests/"+id+"/send", editor, nil)
			}()
		}
		wg.Wait()
		e.waitDigest(t, id)
		for _, rcpt := range eu {
			if n := len(e.smtp.To(rcpt)); n != 1 {
				t.Fatalf("%s got %d copies", rcpt, n)
			}
		}
		e.send("POST", "/api/v1/admin/digests/"+id+"/send", editor, nil).wantError(t, 409, "conflict")
	})
}

// TestDigestRestartMidSend plays a server killed while sending: its worker
// had claimed messages and vanished. The restarted queue sends the rest,
// nobody is missed, and nobody gets two.
func TestDigestRestartMidSend(t *testing.T) {
	t.Parallel()
	// The live queue acts only when woken, so that the dead worker claims
	// first (a polling queue could claim everything before it).
	eachWithMailPolling(t, time.Hour, func(t *testing.T, e *mailEnv) {
		eu := e.officials(t, "eu", 20)
		id := e.draftDigest(t, "eu")
		// Claim as a worker that dies at once, before the live queue sees them.
		if _, err := e.db.StartSending(context.Background(), id, `{"region":"","subject":"test","campaigns":[]}`, &store.AuditEntry{Action: "digest.send"}); err != nil {
			t.Fatal(err)
		}
		const lease = 300 * time.Millisecond
		if claimed, err := e.db.ClaimMail(context.Background(), "killed", 7, lease); err != nil || len(claimed) != 7 {
			t.Fatalf("claimed %d, %v", len(claimed), err)
		}
		leaseEnd := time.Now().Add(lease)
		e.queue.Wake() // it sends the messages nobody holds...
		for time.Now().Before(leaseEnd) {
			time.Sleep(10 * time.Millisecond) // the lease's end is the event under test
		}
		e.queue.Wake() // ...and takes the dead worker's over once their lease has run out
		e.waitDigest(t, id)
		for _, rcpt := range eu {
			if n := len(e.smtp.To(rcpt)); n != 1 {
				t.Fatalf("%s got %d copies", rcpt, n)
			}
		}
	})
}

func TestDigestPreviewTestSendAndCancel(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		editor := e.token("editor")
		e.officials(t, "us", 2)
		id := e.draftDigest(t, "us")
		html := e.do(req{method: "GET", path: "/api/v1/admin/digests/" + id + "/preview?format=html", token: editor}).wantStatus(t, 200)
		if !strings.HasPrefix(html.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(html.Body), "Weekly update") ||
			strings.Contains(html.Header.Get("Content-Security-Policy"), "script-src") {
			t.Fatalf("html preview: %v\n%.300s", html.Header, html.Body)
		}
		text := e.do(req{method: "GET", path: "/api/v1/admin/digests/" + id + "/preview?format=text&language=ru", token: editor}).wantStatus(t, 200)
		if !strings.Contains(string(text.Body), "подтвержд") || strings.Contains(string(text.Body), "**") {
			t.Fatalf("russian text preview:\n%s", text.Body)
		}
		e.get("/api/v1/admin/digests/"+id+"/preview?format=pdf", editor).wantError(t, 422, "validation_failed")
		// A signed link works without a token, for the console's frame; a
		// tampered or expired one does not.
		link := e.send("POST", "/api/v1/admin/digests/"+id+"/preview-link", editor, map[string]string{"format": "html", "language": "be"}).wantStatus(t, 200).JSON(t)["url"].(string)
		framed := e.do(req{method: "GET", path: link}).wantStatus(t, 200)
		if !strings.Contains(string(framed.Body), "пацверджан") || !strings.Contains(framed.Header.Get("Content-Security-Policy"), "frame-ancestors 'self'") {
			t.Fatalf("signed preview: %v\n%.200s", framed.Header, framed.Body)
		}
		e.get(strings.Replace(link, "language=be", "language=en", 1), "").wantError(t, 401, "unauthorized")
		e.get(strings.Replace(link, "sig=", "sig=x", 1), "").wantError(t, 401, "unauthorized")
		e.get("/api/v1/admin/digests/"+id+"/preview?format=html&language=en&expires=1&sig=abc", "").wantError(t, 401, "unauthorized")
		e.send("POST", "/api/v1/admin/digests/"+id+"/preview-link", editor, map[string]string{"format": "pdf", "language": "en"}).wantError(t, 422, "validation_failed")
		e.send("POST", "/api/v1/admin/digests/"+id+"/test", editor, map[string]string{"email": "me@example.org"}).wantStatus(t, 202)
		test := e.smtp.Wait(1, 10*time.Second)[0]
		if test.To[0] != "me@example.org" || test.Header.Get("Subject") != "[TEST] Weekly update" {
			t.Fatalf("test send: %v %q", test.To, test.Header.Get("Subject"))
		}
		// Its unsubscribe link works as a real one does, and changes nothing.
		testToken := linkIn(t, test.Text, e.cfg.PublicURL.String()+"/unsubscribe/")
		if r := e.send("POST", "/api/v1/contacts/unsubscribe", "", map[string]string{"token": testToken}).wantStatus(t, 200).JSON(t); r["status"] != "test" {
			t.Fatalf("the test digest's unsubscribe link answered %v", r)
		}
		e.send("POST", "/api/v1/admin/digests/"+id+"/test", editor, map[string]string{"email": "nope"}).wantError(t, 422, "validation_failed")
		e.send("POST", "/api/v1/admin/digests/"+id+"/cancel", editor, nil).wantStatus(t, 200)
		e.send("POST", "/api/v1/admin/digests/"+id+"/send", editor, nil).wantReason(t, 409, "conflict", "digest_cancelled")
		e.send("POST", "/api/v1/admin/digests/"+id+"/cancel", editor, nil).wantReason(t, 409, "conflict", "digest_not_cancellable")
		e.get("/api/v1/admin/digests/nope", editor).wantError(t, 404, "not_found")
	})
}

func TestDigestBadInputs(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		editor := e.token("editor")
		good := func() map[string]any {
			return map[string]any{"region": "eu", "campaigns": []string{"release-all-political-prisoners"}, "subject": "S"}
		}
		cases := []struct {
			name  string
			edit  func(map[string]any)
			field string
		}{
			{"bad region", func(b map[string]any) { b["region"] = "asia" }, "region"},
			{"no campaigns", func(b map[string]any) { b["campaigns"] = []string{} }, "campaigns"},
			{"unknown campaign", func(b map[string]any) { b["campaigns"] = []string{"nope"} }, "campaigns"},
			{"twice the same", func(b map[string]any) {
				b["campaigns"] = []string{"release-all-political-prisoners", "release-all-political-prisoners"}
			}, "campaigns"},
			{"no subject", func(b map[string]any) { b["subject"] = " " }, "subject"},
			{"unknown field", func(b map[string]any) { b["send_at"] = "now" }, "send_at"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				b := good()
				c.edit(b)
				if fields := e.send("POST", "/api/v1/admin/digests", editor, b).wantError(t, 422, "validation_failed"); fields[c.field] == nil {
					t.Fatalf("fields = %v, want %s", fields, c.field)
				}
			})
		}
		if n := e.count("digests"); n != 0 {
			t.Fatalf("bad inputs wrote %d digests", n)
		}
	})
}

var _ = http.MethodGet
var _ = store.DigestSent

// Test sends were reported to send nothing "sometimes": each of several in
// a row, in each language and to the same address, arrives, in its
// language, and none reaches the region's contacts.
func TestDigestTestSendsEachArrive(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		editor := e.token("editor")
		e.officials(t, "us", 1)
		id := e.draftDigest(t, "us")
		langs := []string{"en", "be", "ru", "en"}
		for _, l := range langs {
			e.send("POST", "/api/v1/admin/digests/"+id+"/test", editor, map[string]string{"email": "Me@Example.org", "language": l}).wantStatus(t, 202)
		}
		msgs := e.smtp.Wait(len(langs), 20*time.Second)
		got := map[string]int{}
		for _, m := range msgs {
			if m.To[0] != "me@example.org" || !strings.HasPrefix(m.Header.Get("Subject"), "[TEST]") {
				t.Fatalf("a test send went to %v: %q", m.To, m.Header.Get("Subject"))
			}
			got[m.Header.Get("Content-Language")]++
		}
		if len(msgs) != len(langs) {
			t.Fatalf("%d test sends arrived, want %d (%v)", len(msgs), len(langs), got)
		}
	})
}
