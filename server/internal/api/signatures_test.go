package api_test

import (
	"fmt"
	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
	"strings"
	"sync"
	"testing"
	"time"
)

const demo = "/api/v1/campaigns/release-all-political-prisoners"

func signBody(name, email string) map[string]any {
	return map[string]any{"name": name, "email": email, "country": "BY", "consent": true}
}

// signAndConfirm signs the demo campaign and confirms through the link in
// the email that arrived; it returns the withdrawal token.
func (e *mailEnv) signAndConfirm(t *testing.T, body map[string]any) string {
	t.Helper()
	before := len(e.smtp.To(body["email"].(string)))
	e.send("POST", demo+"/signatures", "", body).wantStatus(t, 202)
	deadline := time.Now().Add(10 * time.Second)
	for len(e.smtp.To(body["email"].(string))) == before {
		if time.Now().After(deadline) {
			t.Fatalf("no confirmation email for %v", body["email"])
		}
		time.Sleep(10 * time.Millisecond)
	}
	msgs := e.smtp.To(body["email"].(string))
	msg := msgs[len(msgs)-1]
	confirm := linkIn(t, msg.Text, e.cfg.PublicURL.String()+"/confirm/")
	withdraw := linkIn(t, msg.Text, e.cfg.PublicURL.String()+"/withdraw/")
	r := e.send("POST", "/api/v1/signatures/confirm", "", map[string]string{"token": confirm}).wantStatus(t, 200).JSON(t)
	if r["status"] != "confirmed" || r["campaign"] != "release-all-political-prisoners" {
		t.Fatalf("confirm answered %v", r)
	}
	return withdraw
}

func (e *env) signatureCount(t *testing.T) float64 {
	t.Helper()
	return e.get(demo, "").wantStatus(t, 200).JSON(t)["signature_count"].(float64)
}

func TestSignConfirmCountWithdraw(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		r := e.send("POST", demo+"/signatures", "", signBody("Alena Kavalenka", "alena@example.org")).wantStatus(t, 202)
		if r.JSON(t)["status"] != "pending" {
			t.Fatalf("sign answered %s", r.Body)
		}
		msg := e.smtp.Wait(1, 10*time.Second)[0]
		// The subject names no cause, and is the already-signed email's too:
		// someone who sees only a mailbox's subjects learns nothing of a signing.
		if subject := msg.Header.Get("Subject"); strings.Contains(strings.ToLower(subject), "prisoner") || subject != "About your signature" {
			t.Fatalf("subject %q names the cause or is not the neutral one", subject)
		}
		if !strings.Contains(msg.Text, "Statement of the Belarusian National Platform") || !strings.Contains(msg.HTML, "/withdraw/") {
			t.Fatal("the confirmation email lacks the campaign or the withdrawal link")
		}
		if e.signatureCount(t) != 0 {
			t.Fatal("a pending signature counts")
		}
		confirm := linkIn(t, msg.Text, "/confirm/")
		withdraw := linkIn(t, msg.Text, "/withdraw/")
		for i := 0; i < 2; i++ { // a second confirm is harmless
			e.send("POST", "/api/v1/signatures/confirm", "", map[string]string{"token": confirm}).wantStatus(t, 200)
		}
		if got := e.signatureCount(t); got != 1 {
			t.Fatalf("count after confirm = %v, want 1", got)
		}
		list := e.get("/api/v1/campaigns", "").wantStatus(t, 200).JSON(t)["items"].([]any)
		if list[0].(map[string]any)["signature_count"] != float64(1) {
			t.Fatalf("the campaign list does not count it: %v", list[0])
		}
		w := e.send("POST", "/api/v1/signatures/withdraw", "", map[string]string{"token": withdraw}).wantStatus(t, 200).JSON(t)
		if w["status"] != "withdrawn" {
			t.Fatalf("withdraw answered %v", w)
		}
		if got := e.signatureCount(t); got != 0 {
			t.Fatalf("count after withdrawal = %v, want 0", got)
		}
		if n := e.count("signatures"); n != 0 {
			t.Fatalf("%d signature rows remain after withdrawal", n)
		}
		e.send("POST", "/api/v1/signatures/withdraw", "", map[string]string{"token": withdraw}).wantError(t, 404, "not_found")
		e.send("POST", "/api/v1/signatures/confirm", "", map[string]string{"token": "nope-nope-nope-nope-nope"}).wantError(t, 404, "not_found")
	})
}

// Signing again with an address that has confirmed (however it is typed)
// counts nothing more; each request gets an email of its own that says so,
// with a new withdrawal link, up to MaxResends, so that the page answers
// every address alike and a signer who lost the first email has a way out.
func TestCanonicalDuplicatesCountOnce(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		first := e.signAndConfirm(t, signBody("Ales Bialiatski", "ales.b@gmail.com"))
		again := []string{"ales.b@gmail.com", "AlesB+petition@Gmail.com", "a.l.e.s.b@googlemail.com"}
		var withdraw []string
		for i, addr := range again {
			e.send("POST", demo+"/signatures", "", signBody("Ales B", addr)).wantStatus(t, 202)
			// Each email waits for the one before, so that none is still
			// queued when the next replaces its link.
			msg := e.smtp.Wait(2+i, 10*time.Second)[1+i]
			if got := msg.Header.Get("Subject"); got != "About your signature" || len(msg.To) != 1 || !strings.EqualFold(msg.To[0], addr) {
				t.Fatalf("email %d: subject %q to %v, want the already-signed email to %s", i, got, msg.To, addr)
			}
			if !strings.Contains(msg.Text, "You have already signed") || strings.Contains(msg.Text, "/confirm/") {
				t.Fatalf("the already-signed email reads:\n%s", msg.Text)
			}
			withdraw = append(withdraw, linkIn(t, msg.Text, e.cfg.PublicURL.String()+"/withdraw/"))
		}
		e.send("POST", demo+"/signatures", "", signBody("Ales B", "ales.b@gmail.com")).wantStatus(t, 202)
		e.settle()
		e.waitQueueIdle(t)
		if got := e.signatureCount(t); got != 1 {
			t.Fatalf("count = %v, want 1", got)
		}
		if n := e.count("signatures"); n != 1 {
			t.Fatalf("%d signature rows, want 1", n)
		}
		waitSent(t, e)
		if n := len(e.smtp.Messages()); n != 1+store.MaxResends {
			t.Fatalf("%d emails, want the confirmation and %d already-signed ones", n, store.MaxResends)
		}
		// Only the newest withdrawal link works.
		for _, old := range append([]string{first}, withdraw[:len(withdraw)-1]...) {
			e.send("POST", "/api/v1/signatures/withdraw", "", map[string]string{"token": old}).wantError(t, 404, "not_found")
		}
		e.send("POST", "/api/v1/signatures/withdraw", "", map[string]string{"token": withdraw[len(withdraw)-1]}).wantStatus(t, 200)
		if got := e.signatureCount(t); got != 0 {
			t.Fatalf("count after withdrawal = %v, want 0", got)
		}
	})
}

// Signing again while the signature is pending replaces its details and
// links, up to MaxResends times: the fourth request's details are what is
// listed and its link the only one that works, the fifth changes nothing,
// however the intake's two workers (two instances here) share the
// requests sent back to back. (How many emails go out depends on how fast:
// a renewal deletes a still-queued email whose links it killed.)
func TestRepeatedPendingSignatureKeepsTheLastDetails(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		names := []string{"Ales One", "Ales Two", "Ales Three", "Ales Four", "Ales Five"}
		for _, name := range names {
			b := signBody(name, "ales@example.org")
			b["visibility"] = "public"
			e.send("POST", demo+"/signatures", "", b).wantStatus(t, 202)
		}
		waitSent(t, e)
		msgs := e.smtp.To("ales@example.org")
		if n := e.count("signatures"); n != 1 || len(msgs) == 0 || len(msgs) > 1+store.MaxResends {
			t.Fatalf("%d rows and %d emails, want 1 row and 1 to %d emails", n, len(msgs), 1+store.MaxResends)
		}
		working := 0
		for _, m := range msgs {
			r := e.send("POST", "/api/v1/signatures/confirm", "", map[string]string{"token": linkIn(t, m.Text, "/confirm/")})
			if r.Status != 200 {
				r.wantError(t, 404, "not_found")
				continue
			}
			working++
			if !strings.Contains(m.Text, "Ales Four") {
				t.Fatalf("the working link's email does not show the fourth request's name:\n%s", m.Text)
			}
		}
		if working != 1 {
			t.Fatalf("%d links work, want only the last one sent", working)
		}
		signers := e.get(demo+"/signers", "").wantStatus(t, 200).JSON(t)["items"].([]any)
		if len(signers) != 1 || signers[0].(map[string]any)["display_name"] != "Ales Four" {
			t.Fatalf("signers = %v, want the fourth request's name", signers)
		}
	})
}

func TestConcurrentSignsWithOneAddressMakeOneSignature(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		var wg sync.WaitGroup
		statuses := make([]int, 50)
		for i := range statuses {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				statuses[i] = e.send("POST", demo+"/signatures", "", signBody(fmt.Sprintf("Signer %d", i), "same@example.org")).Status
			}(i)
		}
		wg.Wait()
		for i, st := range statuses {
			if st != 202 {
				t.Fatalf("request %d answered %d", i, st)
			}
		}
		e.settle()
		if n := e.count("signatures"); n != 1 {
			t.Fatalf("%d signatures stored, want 1", n)
		}
		e.waitQueueIdle(t)
		if n := len(e.smtp.Messages()); n < 1 || n > 4 {
			t.Fatalf("%d confirmation emails, want 1 plus at most 3 resends", n)
		}
	})
}

func TestExpiredConfirmationLink(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		e.send("POST", demo+"/signatures", "", signBody("Late Signer", "late@example.org")).wantStatus(t, 202)
		confirm := linkIn(t, e.smtp.Wait(1, 10*time.Second)[0].Text, "/confirm/")
		if err := e.db.Exec(t.Context(), "UPDATE signatures SET token_expires_at = ?", time.Now().UTC().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		e.send("POST", "/api/v1/signatures/confirm", "", map[string]string{"token": confirm}).wantError(t, 404, "not_found")
		if n, err := e.db.DeleteUnconfirmed(t.Context()); err != nil || n != 1 {
			t.Fatalf("deleted %d unconfirmed, %v", n, err)
		}
	})
}

func TestSignBadInputs(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		long := strings.Repeat("x", 101)
		cases := []struct {
			name   string
			edit   func(map[string]any)
			status int
			field  string
		}{
			{"no name on a listed tier", func(b map[string]any) { delete(b, "name"); b["visibility"] = "initials" }, 422, "name"},
			{"blank name in public", func(b map[string]any) { b["name"] = "   "; b["visibility"] = "public" }, 422, "name"},
			{"name too long", func(b map[string]any) { b["name"] = long }, 422, "name"},
			{"name with a control character", func(b map[string]any) { b["name"] = "Alena\x07K" }, 422, "name"},
			{"bad email", func(b map[string]any) { b["email"] = "alena@" }, 422, "email"},
			{"email too long", func(b map[string]any) { b["email"] = strings.Repeat("a", 250) + "@example.org" }, 422, "email"},
			{"bad country", func(b map[string]any) { b["country"] = "Belarus" }, 422, "country"},
			{"unknown country code", func(b map[string]any) { b["country"] = "ZZ" }, 422, "country"},
			{"comment too long", func(b map[string]any) { b["comment"] = strings.Repeat("c", 501) }, 422, "comment"},
			{"bad visibility", func(b map[string]any) { b["visibility"] = "everyone" }, 422, "visibility"},
			{"no consent", func(b map[string]any) { b["consent"] = false }, 422, "consent"},
			{"bad ref", func(b map[string]any) { b["ref"] = "Not A Code!" }, 422, "ref"},
			{"unknown language", func(b map[string]any) { b["language"] = "de" }, 422, "language"},
			{"unknown field", func(b map[string]any) { b["ip"] = "1.2.3.4" }, 422, "ip"},
			{"wrong type", func(b map[string]any) { b["consent"] = "yes" }, 422, "consent"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				b := signBody("Alena Kavalenka", "alena@example.org")
				c.edit(b)
				fields := e.send("POST", demo+"/signatures", "", b).wantError(t, c.status, "validation_failed")
				if fields[c.field] == nil {
					t.Fatalf("fields = %v, want %q", fields, c.field)
				}
			})
		}
		nul := signBody("Alena\x00K", "alena@example.org")
		e.send("POST", demo+"/signatures", "", nul).wantError(t, 400, "bad_request")
		e.do(req{method: "POST", path: demo + "/signatures", raw: `{"name":`, contentType: "application/json"}).wantError(t, 400, "bad_request")
		e.do(req{method: "POST", path: demo + "/signatures", raw: `name=x`, contentType: "application/x-www-form-urlencoded"}).wantError(t, 415, "unsupported_media_type")
		e.send("POST", "/api/v1/campaigns/no-such/signatures", "", signBody("A B", "a@example.org")).wantError(t, 404, "not_found")
		if n := e.count("intake") + e.count("signatures") + e.count("mail_messages"); n != 0 {
			t.Fatalf("bad inputs wrote %d rows", n)
		}
	})
}

func TestSignClosedOrDraftCampaign(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		editor := e.token("editor")
		e.send("PATCH", "/api/v1/admin/campaigns/release-all-political-prisoners", editor, map[string]any{"status": "closed"}).wantStatus(t, 200)
		e.send("POST", demo+"/signatures", "", signBody("A B", "a@example.org")).wantReason(t, 409, "conflict", "campaign_closed")
		e.send("PATCH", "/api/v1/admin/campaigns/release-all-political-prisoners", editor, map[string]any{"status": "draft"}).wantStatus(t, 200)
		e.send("POST", demo+"/signatures", "", signBody("A B", "a@example.org")).wantError(t, 404, "not_found")
		future := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
		e.send("PATCH", "/api/v1/admin/campaigns/release-all-political-prisoners", editor, map[string]any{"status": "open", "opens_at": future}).wantStatus(t, 200)
		e.send("POST", demo+"/signatures", "", signBody("A B", "a@example.org")).wantReason(t, 409, "conflict", "campaign_not_open")
		if n := e.count("intake") + e.count("signatures"); n != 0 {
			t.Fatalf("%d signatures stored", n)
		}
	})
}

func TestDisposableAddressIsAcceptedButNeverCounts(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		e.signAndConfirm(t, signBody("Bot McBot", "bot@mailinator.com"))
		if got := e.signatureCount(t); got != 0 {
			t.Fatalf("a disposable address counts: %v", got)
		}
	})
}

func TestSignRateLimits(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		// Per address and campaign: the 11th and later are accepted alike
		// but shadow-flagged.
		for i := 0; i < 12; i++ {
			e.send("POST", demo+"/signatures", "", signBody("Same Client", fmt.Sprintf("client%02d@example.org", i))).wantStatus(t, 202)
		}
		e.settle()
		flagged, err := e.db.CountWhere(t.Context(), "signatures", "flagged = ?", true)
		if err != nil || flagged != 2 {
			t.Fatalf("flagged = %d (%v), want 2", flagged, err)
		}
		// Confirming all twelve answers alike, and counts only the ten.
		waitSent(t, e)
		for i := 0; i < 12; i++ {
			msgs := e.smtp.To(fmt.Sprintf("client%02d@example.org", i))
			if len(msgs) != 1 {
				t.Fatalf("client%02d got %d emails, want 1", i, len(msgs))
			}
			token := linkIn(t, msgs[0].Text, e.cfg.PublicURL.String()+"/confirm/")
			e.send("POST", "/api/v1/signatures/confirm", "", map[string]string{"token": token}).wantStatus(t, 200)
		}
		if n := e.signatureCount(t); n != 10 {
			t.Fatalf("public count = %v, want 10: a shadow-flagged signature counted", n)
		}
		// Per address overall: 429 with Retry-After past 60 in 10 minutes.
		var last response
		for i := 12; i < 62; i++ {
			last = e.send("POST", demo+"/signatures", "", signBody("Same Client", fmt.Sprintf("client%02d@example.org", i)))
		}
		last.wantError(t, 429, "rate_limited")
		if last.Header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
	})
}

func TestSignersStatsAndSmallCells(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		for i := 0; i < 5; i++ {
			b := signBody(fmt.Sprintf("Signer%d  kupala", i), fmt.Sprintf("by%d@example.org", i))
			b["visibility"] = []string{"private", "initials", "public", "initials", "private"}[i]
			e.signAndConfirm(t, b)
		}
		lt := signBody("Lithuanian Friend", "lt@example.org")
		lt["country"], lt["visibility"] = "LT", "public"
		e.signAndConfirm(t, lt)

		stats := e.get(demo+"/stats", "").wantStatus(t, 200).JSON(t)
		countries := stats["countries"].([]any)
		if len(countries) != 2 || countries[0].(map[string]any)["country"] != "BY" || countries[0].(map[string]any)["count"] != float64(5) ||
			countries[1].(map[string]any)["country"] != "other" || countries[1].(map[string]any)["count"] != float64(1) {
			t.Fatalf("countries = %v: want BY 5 and LT folded into other", countries)
		}
		days := stats["days"].([]any)
		if len(days) != 1 || days[0].(map[string]any)["count"] != float64(6) || days[0].(map[string]any)["date"] != time.Now().UTC().Format("2006-01-02") {
			t.Fatalf("days = %v", days)
		}

		signers := e.get(demo+"/signers", "").wantStatus(t, 200).JSON(t)["items"].([]any)
		names := []string{}
		for _, s := range signers {
			names = append(names, s.(map[string]any)["display_name"].(string))
		}
		want := "Lithuanian Friend|Signer3 K.|Signer2 kupala|Signer1 K."
		if strings.Join(names, "|") != want {
			t.Fatalf("signers = %v, want %s", names, want)
		}
		for _, s := range signers {
			for k := range s.(map[string]any) {
				if k != "display_name" && k != "country" && k != "signed_at" {
					t.Fatalf("signers carry %q", k)
				}
			}
		}
		e.get(demo+"/signers?cursor=bogus", "").wantError(t, 422, "validation_failed")
	})
}

func TestStaffSignatureViewsAreAdminOnlyAndAudited(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		updates := signBody("=HYPERLINK(\"http://evil\")", "wants.news@example.org")
		updates["updates"] = true
		e.signAndConfirm(t, updates)
		e.signAndConfirm(t, signBody("Quiet Signer", "quiet@example.org"))
		base := "/api/v1/admin/campaigns/release-all-political-prisoners/signatures"
		for _, role := range []string{"editor", "moderator", "viewer"} {
			e.get(base, e.token(store.Role(role))).wantError(t, 403, "forbidden")
			e.get(base+".csv", e.token(store.Role(role))).wantError(t, 403, "forbidden")
		}
		e.get(base, "").wantError(t, 401, "unauthorized")
		admin := e.token("admin")
		items := e.get(base, admin).wantStatus(t, 200).JSON(t)["items"].([]any)
		if len(items) != 2 {
			t.Fatalf("%d signatures listed, want 2", len(items))
		}
		for _, it := range items {
			v := it.(map[string]any)
			if v["email"] != nil || v["name"] != nil || v["comment"] != nil || v["name_sealed"] != true {
				t.Fatalf("the staff list opened sealed data: %v", v)
			}
		}
		csv := e.get(base+".csv", admin).wantStatus(t, 200)
		if !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") || strings.Contains(string(csv.Body), `HYPERLINK`) ||
			strings.Contains(string(csv.Body), "@example.org") || strings.Contains(string(csv.Body), "Quiet") {
			t.Fatalf("csv without the identity shows sealed data:\n%s", csv.Body)
		}
		if lines := strings.Count(strings.TrimSpace(string(csv.Body)), "\n"); lines != 2 {
			t.Fatalf("csv has %d data lines, want 2", lines)
		}

		// The audited export with the coalition identity opens them.
		e.send("POST", base+".csv", admin, map[string]string{}).wantError(t, 422, "validation_failed")
		stranger, _ := privacy.NewIdentity()
		e.send("POST", base+".csv", admin, map[string]string{"identity": stranger.Secret}).wantError(t, 422, "validation_failed")
		e.send("POST", base+".csv", e.token("editor"), map[string]string{"identity": e.identity(t)}).wantError(t, 403, "forbidden")
		opened := e.send("POST", base+".csv", admin, map[string]string{"identity": e.identity(t)}).wantStatus(t, 200)
		body := string(opened.Body)
		if !strings.Contains(body, `'=HYPERLINK`) || !strings.Contains(body, "wants.news@example.org") || !strings.Contains(body, "Quiet Signer") ||
			strings.Contains(body, "quiet@example.org") {
			t.Fatalf("opened csv: only the address of the signer who asked for updates is kept, names open:\n%s", body)
		}
		audit := string(mustJSON(t, e.get("/api/v1/admin/audit", admin).JSON(t)))
		if !strings.Contains(audit, `"signatures.list"`) || !strings.Contains(audit, `"signatures.export"`) ||
			!strings.Contains(audit, `"signatures.export_opened"`) || !strings.Contains(audit, `"rows":2`) || strings.Contains(audit, "AGE-SECRET") {
			t.Fatalf("audit log lacks the list or the exports with their rows: %s", audit)
		}
	})
}

func TestInvalidationsCountThenApply(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		e.signAndConfirm(t, signBody("Real Person", "real@example.org"))
		for i := 0; i < 3; i++ {
			b := signBody(fmt.Sprintf("Farm %d", i), fmt.Sprintf("farm%d@spamfarm.example", i))
			b["country"] = "VA"
			e.signAndConfirm(t, b)
		}
		url := "/api/v1/admin/campaigns/release-all-political-prisoners/invalidations"
		admin := e.token("admin")
		e.send("POST", url, e.token("editor"), map[string]any{"country": "VA"}).wantError(t, 403, "forbidden")
		e.send("POST", url, admin, map[string]any{}).wantError(t, 422, "validation_failed")
		e.send("POST", url, admin, map[string]any{"country": "Vatican"}).wantError(t, 422, "validation_failed")
		e.send("POST", url, admin, map[string]any{"from": "yesterday"}).wantError(t, 422, "validation_failed")
		dry := e.send("POST", url, admin, map[string]any{"domain": "spamfarm.example"}).wantStatus(t, 200).JSON(t)
		if dry["matching"] != float64(3) || e.signatureCount(t) != 4 {
			t.Fatalf("dry run = %v; count %v", dry, e.signatureCount(t))
		}
		e.send("POST", url, admin, map[string]any{"domain": "spamfarm.example", "expected_count": 2}).wantReason(t, 409, "conflict", "count_changed")
		applied := e.send("POST", url, admin, map[string]any{"domain": "spamfarm.example", "expected_count": 3}).wantStatus(t, 200).JSON(t)
		if applied["invalidated"] != float64(3) || e.signatureCount(t) != 1 {
			t.Fatalf("applied = %v; count %v, want 1", applied, e.signatureCount(t))
		}
		surge := e.get("/api/v1/admin/campaigns/release-all-political-prisoners/surge", e.token("moderator")).wantStatus(t, 200).JSON(t)
		if len(surge["by_country"].([]any)) != 2 || len(surge["by_domain"].([]any)) != 2 {
			t.Fatalf("surge = %v", surge)
		}
		e.get("/api/v1/admin/campaigns/release-all-political-prisoners/surge", e.token("viewer")).wantError(t, 403, "forbidden")
	})
}

// A search or invalidation by address or domain is audited without them:
// the log outlives the signature it found.
func TestAuditKeepsNoSearchedAddressOrDomain(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		e.signAndConfirm(t, signBody("Sought Person", "sought.person@family-name.example"))
		admin := e.token("admin")
		base := "/api/v1/admin/campaigns/release-all-political-prisoners"
		e.get(base+"/signatures?email=sought.person@family-name.example&country=BY", admin).wantStatus(t, 200)
		e.get(base+"/signatures.csv?domain=family-name.example", admin).wantStatus(t, 200)
		e.send("POST", base+"/invalidations", admin, map[string]any{"domain": "family-name.example", "expected_count": 1}).wantStatus(t, 200)
		audit := string(mustJSON(t, e.get("/api/v1/admin/audit", admin).JSON(t)))
		if strings.Contains(audit, "sought") || strings.Contains(audit, "family-name") {
			t.Fatalf("the audit log names what was searched for: %s", audit)
		}
		if !strings.Contains(audit, "email=(given) country=BY") || !strings.Contains(audit, "domain=(given)") {
			t.Fatalf("the audit log does not say which filters were used: %s", audit)
		}
	})
}

// Staff type a domain as people write it; signing hashed its canonical form.
func TestInvalidationFindsAliasedAndInternationalDomains(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		e.signAndConfirm(t, signBody("Mail Alias", "someone@googlemail.com"))
		e.signAndConfirm(t, signBody("Cyrillic Domain", "someone@пример.бел"))
		url := "/api/v1/admin/campaigns/release-all-political-prisoners/invalidations"
		admin := e.token("admin")
		for domain, want := range map[string]float64{"GoogleMail.com": 1, "gmail.com": 1, "пример.бел": 1, "xn--e1afmkfd.xn--90ais": 1, "example.org": 0} {
			dry := e.send("POST", url, admin, map[string]any{"domain": domain}).wantStatus(t, 200).JSON(t)
			if dry["matching"] != want {
				t.Errorf("domain %q matches %v, want %v", domain, dry["matching"], want)
			}
		}
		e.send("POST", url, admin, map[string]any{"domain": "not a domain"}).wantError(t, 422, "validation_failed")
		e.get("/api/v1/admin/campaigns/release-all-political-prisoners/signatures?domain=@@", admin).wantError(t, 422, "validation_failed")
	})
}

// Whoever asks for a confirmation in someone's name, the email says what
// confirming would publish, so a changed name or tier cannot slip through.
func TestConfirmationEmailSaysWhatWillBeShown(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		addr := "shown@example.org"
		e.send("POST", demo+"/signatures", "", signBody("Alena Kavalenka", addr)).wantStatus(t, 202)
		// Sent before the second request: a queued email whose links the
		// second replaces is deleted unsent.
		e.smtp.Wait(1, 10*time.Second)
		again := signBody("Someone Else", addr)
		again["visibility"] = "public"
		e.send("POST", demo+"/signatures", "", again).wantStatus(t, 202)
		deadline := time.Now().Add(10 * time.Second)
		for len(e.smtp.To(addr)) < 2 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		msgs := e.smtp.To(addr)
		if len(msgs) != 2 {
			t.Fatalf("%d emails, want 2", len(msgs))
		}
		first, second := msgs[0], msgs[1]
		if second.Text == first.Text {
			first, second = msgs[1], msgs[0]
		}
		for _, want := range []string{"You signed as “Alena Kavalenka”.", "Your name will not appear on the public list"} {
			if !strings.Contains(first.Text+second.Text, want) {
				t.Errorf("no email says %q", want)
			}
		}
		if !strings.Contains(first.Text+second.Text, "will appear as “Someone Else”") || !strings.Contains(first.HTML+second.HTML, "Someone Else") {
			t.Errorf("the second request's email does not say the name will be published:\n%s", second.Text)
		}
	})
}

// Retention (privacy rule 4) runs from when the campaign closed, whether staff
// closed the campaign or its closing time passed; it keeps the numbers and
// drops the people.
func TestRetentionAnonymisesCampaignsPastTheirClosingTime(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		public := signBody("Public Person", "public.person@example.org")
		public["visibility"] = "public"
		public["comment"] = "Free them all"
		public["updates"] = true
		e.signAndConfirm(t, public)
		e.signAndConfirm(t, signBody("Private Person", "private.person@example.org"))
		if n, err := e.db.AnonymiseExpired(t.Context()); err != nil || n != 0 {
			t.Fatalf("anonymised %d of an open campaign, %v", n, err)
		}
		past := time.Now().UTC().Add(-200 * 24 * time.Hour)
		if err := e.db.Exec(t.Context(), "UPDATE campaigns SET closes_at = ?, retention_days = 30", past); err != nil {
			t.Fatal(err)
		}
		if c := e.get(demo, "").wantStatus(t, 200).JSON(t); c["status"] != "closed" {
			t.Fatalf("a campaign past its closing time reads as %v before housekeeping", c["status"])
		}
		if n, err := e.db.CloseDue(t.Context()); err != nil || n != 1 {
			t.Fatalf("closed %d campaigns, %v; want 1", n, err)
		}
		c := e.get(demo, "").wantStatus(t, 200).JSON(t)
		if c["status"] != "closed" {
			t.Fatalf("a campaign past its closing time shows as %v", c["status"])
		}
		// Retention runs from when it was closed, not from a closing date
		// that may have been typed long in the past.
		if n, err := e.db.AnonymiseExpired(t.Context()); err != nil || n != 0 {
			t.Fatalf("anonymised %d at once, %v; want none until the retention period has passed", n, err)
		}
		if err := e.db.Exec(t.Context(), "UPDATE campaigns SET closed_at = ?", time.Now().UTC().Add(-31*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n, err := e.db.AnonymiseExpired(t.Context()); err != nil || n != 2 {
			t.Fatalf("anonymised %d, %v; want 2", n, err)
		}
		if left, err := e.db.CountWhere(t.Context(), "signatures", "name IS NOT NULL OR email_encrypted IS NOT NULL OR comment IS NOT NULL OR withdraw_token_hash IS NOT NULL OR anonymised_at IS NULL"); err != nil || left != 0 {
			t.Fatalf("%d signatures keep personal data, %v", left, err)
		}
		if e.signatureCount(t) != 2 {
			t.Fatalf("count after anonymising = %v, want 2", e.signatureCount(t))
		}
		stats := e.get(demo+"/stats", "").wantStatus(t, 200).JSON(t)
		if days := stats["days"].([]any); len(days) != 1 || days[0].(map[string]any)["count"] != float64(2) {
			t.Fatalf("stats after anonymising = %v", stats)
		}
		if signers := e.get(demo+"/signers", "").wantStatus(t, 200).JSON(t)["items"].([]any); len(signers) != 0 {
			t.Fatalf("anonymised signers still listed: %v", signers)
		}
	})
}

// A signature invalidated before it was confirmed still goes when its link
// expires, like any unconfirmed one (privacy rule 3).
func TestUnconfirmedSignaturesInvalidatedAreDeletedWhenTheirLinkExpires(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		e.send("POST", demo+"/signatures", "", signBody("Never Confirmed", "never@spamfarm.example")).wantStatus(t, 202)
		e.settle() // the invalidation counts what the intake has written
		url := "/api/v1/admin/campaigns/release-all-political-prisoners/invalidations"
		e.send("POST", url, e.token("admin"), map[string]any{"domain": "spamfarm.example", "expected_count": 1}).wantStatus(t, 200)
		if n, err := e.db.DeleteUnconfirmed(t.Context()); err != nil || n != 0 {
			t.Fatalf("deleted %d before the link expired, %v", n, err)
		}
		if err := e.db.Exec(t.Context(), "UPDATE signatures SET token_expires_at = ?", time.Now().UTC().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		if n, err := e.db.DeleteUnconfirmed(t.Context()); err != nil || n != 1 {
			t.Fatalf("deleted %d, %v; want 1", n, err)
		}
	})
}
