package api_test

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/smtptest"
	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

func endorseBody(org, email string) map[string]any {
	return map[string]any{"organization": org, "org_type": "ngo", "country": "LT",
		"contact_name": "Maryna Kontakt", "contact_email": email}
}

// waitMail waits until at least n messages have reached one address.
func (e *mailEnv) waitMail(t *testing.T, to string, n int) []smtptest.Received {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if msgs := e.smtp.To(to); len(msgs) >= n {
			return msgs
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages to %s, want %d", len(e.smtp.To(to)), to, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// endorseAndVerify submits an endorsement of the demo campaign, verifies
// it through the link in the email that arrived, and returns its id.
func (e *mailEnv) endorseAndVerify(t *testing.T, body map[string]any) string {
	t.Helper()
	to := body["contact_email"].(string)
	before := len(e.smtp.To(to))
	e.send("POST", demo+"/endorsements", "", body).wantStatus(t, 202)
	msg := e.waitMail(t, to, before+1)[before]
	token := linkIn(t, msg.Text, e.cfg.PublicURL.String()+"/endorse/confirm/")
	r := e.send("POST", "/api/v1/endorsements/confirm", "", map[string]string{"token": token}).wantStatus(t, 200).JSON(t)
	if r["status"] != "awaiting_review" || len(r) != 1 {
		t.Fatalf("confirm answered %v", r)
	}
	return e.endorsementID(t, body["organization"].(string))
}

// endorsementID finds an endorsement by its organisation in the staff list.
func (e *env) endorsementID(t *testing.T, org string) string {
	t.Helper()
	for _, it := range e.staffEndorsements(t, "?status=all") {
		if it["organization"] == org {
			return it["id"].(string)
		}
	}
	t.Fatalf("%q is not in the staff list", org)
	return ""
}

func (e *env) staffEndorsements(t *testing.T, query string) []map[string]any {
	t.Helper()
	items := e.get("/api/v1/admin/endorsements"+query, e.token(store.RoleModerator)).wantStatus(t, 200).JSON(t)["items"].([]any)
	out := make([]map[string]any, len(items))
	for i, it := range items {
		out[i] = it.(map[string]any)
	}
	return out
}

func (e *env) publicEndorsements(t *testing.T) []map[string]any {
	t.Helper()
	items := e.get(demo+"/endorsements", "").wantStatus(t, 200).JSON(t)["items"].([]any)
	out := make([]map[string]any, len(items))
	for i, it := range items {
		out[i] = it.(map[string]any)
	}
	return out
}

// demoCalls returns the demo campaign's calls as the public sees them.
func (e *env) demoCalls(t *testing.T) []map[string]any {
	t.Helper()
	calls := e.get(demo, "").wantStatus(t, 200).JSON(t)["calls"].([]any)
	out := make([]map[string]any, len(calls))
	for i, c := range calls {
		out[i] = c.(map[string]any)
	}
	return out
}

func (e *env) demoCallIDs(t *testing.T) []any {
	t.Helper()
	var ids []any
	for _, c := range e.demoCalls(t) {
		ids = append(ids, c["id"])
	}
	return ids
}

// endorsementCounts returns the demo campaign's endorsement_count in its
// page and in the campaign list, and each call's.
func (e *env) endorsementCounts(t *testing.T) (page, list float64, calls []float64) {
	t.Helper()
	c := e.get(demo, "").wantStatus(t, 200).JSON(t)
	for _, call := range c["calls"].([]any) {
		calls = append(calls, call.(map[string]any)["endorsement_count"].(float64))
	}
	items := e.get("/api/v1/campaigns", "").wantStatus(t, 200).JSON(t)["items"].([]any)
	return c["endorsement_count"].(float64), items[0].(map[string]any)["endorsement_count"].(float64), calls
}

func repeat(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestEndorseVerifyReviewApprove(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		body := endorseBody("Viasna Human Rights Centre", "office@spring96.example")
		body["website"] = "https://spring96.example/en"
		body["statement"] = "We stand with every political prisoner."
		r := e.send("POST", demo+"/endorsements", "", body).wantStatus(t, 202).JSON(t)
		if r["status"] != "pending" {
			t.Fatalf("endorse answered %v", r)
		}
		msg := e.waitMail(t, "office@spring96.example", 1)[0]
		if subject := msg.Header.Get("Subject"); subject != "Please confirm your request" {
			t.Fatalf("verification subject %q is not the neutral one", subject)
		}
		if !strings.Contains(msg.Text, "Viasna Human Rights Centre") || !strings.Contains(msg.Text, "Statement of the Belarusian National Platform") {
			t.Fatalf("the verification email lacks the organisation or the campaign:\n%s", msg.Text)
		}
		token := linkIn(t, msg.Text, e.cfg.PublicURL.String()+"/endorse/confirm/")
		if len(e.staffEndorsements(t, "")) != 0 || len(e.publicEndorsements(t)) != 0 {
			t.Fatal("an unverified endorsement is in the review queue or public")
		}

		for i := 0; i < 2; i++ { // verifying twice is harmless
			v := e.send("POST", "/api/v1/endorsements/confirm", "", map[string]string{"token": token}).wantStatus(t, 200).JSON(t)
			if v["status"] != "awaiting_review" {
				t.Fatalf("confirm answered %v", v)
			}
		}
		for _, reviewer := range []string{"admin@example.org", "editor@example.org", "moderator@example.org"} {
			notice := e.waitMail(t, reviewer, 1)[0]
			if subject := notice.Header.Get("Subject"); subject != "A new request awaits review" {
				t.Errorf("staff notice subject %q", subject)
			}
			if !strings.Contains(notice.Text, e.cfg.PublicURL.String()+"/admin/endorsements") || !strings.Contains(notice.Text, "Viasna Human Rights Centre") {
				t.Errorf("staff notice lacks the link or the organisation:\n%s", notice.Text)
			}
		}
		waitSent(t, e)
		for _, other := range []string{"admin@example.org", "moderator@example.org", "editor@example.org", "viewer@example.org"} {
			want := 1
			if other == "viewer@example.org" {
				want = 0
			}
			if n := len(e.smtp.To(other)); n != want {
				t.Errorf("%s got %d staff notices, want %d", other, n, want)
			}
		}
		if page, list, calls := e.endorsementCounts(t); page != 0 || list != 0 || !slices.Equal(calls, repeat(0, 8)) {
			t.Fatalf("an endorsement awaiting review counts: %v %v %v", page, list, calls)
		}

		queue := e.staffEndorsements(t, "")
		if len(queue) != 1 || queue[0]["status"] != "awaiting_review" || queue[0]["contact_email"] != "office@spring96.example" ||
			queue[0]["contact_name"] != "Maryna Kontakt" || queue[0]["duplicate_of"] != nil || queue[0]["campaign"] != seededSlug {
			t.Fatalf("review queue = %v", queue)
		}
		id := queue[0]["id"].(string)
		approved := e.send("POST", "/api/v1/admin/endorsements/"+id+"/approve", e.token(store.RoleModerator), nil).wantStatus(t, 200).JSON(t)
		if approved["status"] != "approved" || approved["reviewed_by"] != "moderator@example.org" || approved["reviewed_at"] == nil {
			t.Fatalf("approve answered %v", approved)
		}

		outcome := e.waitMail(t, "office@spring96.example", 2)[1]
		if subject := outcome.Header.Get("Subject"); subject != "Your request has been reviewed" {
			t.Errorf("approval subject %q", subject)
		}
		if !strings.Contains(outcome.Text, "approved") || !strings.Contains(outcome.Text, e.cfg.PublicURL.String()+"/c/"+seededSlug) {
			t.Errorf("the approval email lacks the outcome or the page:\n%s", outcome.Text)
		}

		listed := e.publicEndorsements(t)
		want := map[string]any{"name": "Viasna Human Rights Centre", "org_type": "ngo", "country": "LT",
			"website": "https://spring96.example/en", "statement": "We stand with every political prisoner.",
			"all_calls": true, "calls": e.demoCallIDs(t)}
		if len(listed) != 1 || !reflect.DeepEqual(listed[0], want) {
			t.Fatalf("public endorsements = %v\nwant %v", listed, want)
		}
		if page, list, calls := e.endorsementCounts(t); page != 1 || list != 1 || !slices.Equal(calls, repeat(1, 8)) {
			t.Fatalf("counts after approval: page %v, list %v, calls %v", page, list, calls)
		}
		audit := string(mustJSON(t, e.get("/api/v1/admin/audit", e.token(store.RoleAdmin)).JSON(t)))
		if !strings.Contains(audit, `"endorsement.approve"`) || !strings.Contains(audit, id) {
			t.Fatalf("the approval is not audited: %s", audit)
		}
	})
}

func TestEndorseASubsetOfCalls(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		ids := e.demoCallIDs(t)
		subset := endorseBody("Belarusian Association of Journalists", "baj@example.org")
		subset["org_type"] = "media"
		subset["calls"] = []any{ids[5], ids[0], ids[2]} // in any order
		moderator := e.token(store.RoleModerator)
		e.send("POST", "/api/v1/admin/endorsements/"+e.endorseAndVerify(t, subset)+"/approve", moderator, nil).wantStatus(t, 200)
		whole := endorseBody("Razam e.V.", "razam@example.org")
		whole["org_type"], whole["country"] = "diaspora", "DE"
		e.send("POST", "/api/v1/admin/endorsements/"+e.endorseAndVerify(t, whole)+"/approve", moderator, nil).wantStatus(t, 200)

		listed := e.publicEndorsements(t)
		if len(listed) != 2 || listed[0]["name"] != "Belarusian Association of Journalists" || listed[0]["all_calls"] != false ||
			!reflect.DeepEqual(listed[0]["calls"], []any{ids[0], ids[2], ids[5]}) {
			t.Fatalf("the subset is not listed in the statement's order: %v", listed)
		}
		if listed[1]["all_calls"] != true || len(listed[1]["calls"].([]any)) != 8 {
			t.Fatalf("the whole-statement endorsement = %v", listed[1])
		}
		page, list, calls := e.endorsementCounts(t)
		if want := []float64{2, 1, 2, 1, 1, 2, 1, 1}; page != 2 || list != 2 || !slices.Equal(calls, want) {
			t.Fatalf("counts: page %v, list %v, calls %v, want calls %v", page, list, calls, want)
		}
		staff := e.staffEndorsements(t, "?status=approved")
		if len(staff) != 2 || !reflect.DeepEqual(staff[0]["calls"], []any{ids[0], ids[2], ids[5]}) {
			t.Fatalf("staff view of the subset = %v", staff)
		}
	})
}

func TestConfidentialEndorsementIsNeverPublic(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		body := endorseBody("Quiet Solidarity Fund", "quiet@example.org")
		body["confidential"] = true
		body["website"] = "https://quiet-fund.example"
		body["calls"] = []any{e.demoCallIDs(t)[1]}
		id := e.endorseAndVerify(t, body)
		e.send("POST", "/api/v1/admin/endorsements/"+id+"/approve", e.token(store.RoleModerator), nil).wantStatus(t, 200)

		outcome := e.waitMail(t, "quiet@example.org", 2)[1]
		if !strings.Contains(outcome.Text, "confidential") || strings.Contains(outcome.Text, "/c/"+seededSlug) {
			t.Errorf("the approval of a confidential endorsement should say so and not link the page:\n%s", outcome.Text)
		}
		staff := e.staffEndorsements(t, "?status=approved")
		// Once reviewed, the contact person is kept only sealed to the coalition.
		if len(staff) != 1 || staff[0]["confidential"] != true || staff[0]["contact_email"] != nil || staff[0]["contact_sealed"] != true {
			t.Fatalf("staff list = %v", staff)
		}
		counts := e.get("/api/v1/admin/endorsements?status=approved", e.token(store.RoleModerator)).JSON(t)["counts"].(map[string]any)
		if counts["approved"] != float64(1) {
			t.Fatalf("staff counts = %v: the confidential endorsement counts for staff", counts)
		}
		if page, list, calls := e.endorsementCounts(t); page != 0 || list != 0 || !slices.Equal(calls, repeat(0, 8)) {
			t.Fatalf("a confidential endorsement counts publicly: page %v, list %v, calls %v", page, list, calls)
		}
		for _, path := range []string{"/api/v1/campaigns", demo, demo + "/endorsements", demo + "/stats", demo + "/signers"} {
			r := e.get(path, "").wantStatus(t, 200)
			for _, secret := range []string{"Quiet Solidarity", "quiet-fund", "quiet@example.org", "Maryna"} {
				if strings.Contains(string(r.Body), secret) {
					t.Errorf("GET %s shows %q: %s", path, secret, r.Body)
				}
			}
		}
	})
}

func TestRejectWithReasonAndReviewSteps(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		moderator := e.token(store.RoleModerator)
		id := e.endorseAndVerify(t, endorseBody("Totally Real Organisation", "real@example.org"))
		base := "/api/v1/admin/endorsements/" + id
		e.send("POST", base+"/reject", moderator, map[string]any{}).wantError(t, 422, "validation_failed")
		e.send("POST", base+"/reject", moderator, map[string]any{"reason": "   "}).wantError(t, 422, "validation_failed")
		e.send("POST", base+"/reject", moderator, map[string]any{"reason": strings.Repeat("r", 501)}).wantError(t, 422, "validation_failed")
		e.send("POST", base+"/revoke", moderator, nil).wantReason(t, 409, "conflict", "endorsement_status")
		rejected := e.send("POST", base+"/reject", moderator, map[string]any{"reason": "We could not find this organisation in any register."}).wantStatus(t, 200).JSON(t)
		if rejected["status"] != "rejected" || rejected["reject_reason"] != "We could not find this organisation in any register." {
			t.Fatalf("reject answered %v", rejected)
		}
		outcome := e.waitMail(t, "real@example.org", 2)[1]
		if subject := outcome.Header.Get("Subject"); subject != "Your request has been reviewed" {
			t.Errorf("rejection subject %q", subject)
		}
		if !strings.Contains(outcome.Text, "We could not find this organisation in any register.") || !strings.Contains(outcome.Text, "not accept") {
			t.Errorf("the rejection email lacks the reason:\n%s", outcome.Text)
		}
		if len(e.publicEndorsements(t)) != 0 {
			t.Fatal("a rejected endorsement is public")
		}
		e.send("POST", base+"/reject", moderator, map[string]any{"reason": "again"}).wantError(t, 409, "conflict")

		// A moderator may change their mind; an approval is revoked without
		// an email, and must be revoked before it can be rejected.
		e.send("POST", base+"/approve", moderator, nil).wantStatus(t, 200)
		e.send("POST", base+"/reject", moderator, map[string]any{"reason": "changed my mind"}).wantError(t, 409, "conflict")
		e.waitMail(t, "real@example.org", 3)
		if page, _, _ := e.endorsementCounts(t); page != 1 {
			t.Fatalf("count after approval = %v", page)
		}
		revoked := e.send("POST", base+"/revoke", moderator, nil).wantStatus(t, 200).JSON(t)
		if revoked["status"] != "awaiting_review" || revoked["reviewed_at"] != nil {
			t.Fatalf("revoke answered %v", revoked)
		}
		if page, _, calls := e.endorsementCounts(t); page != 0 || !slices.Equal(calls, repeat(0, 8)) || len(e.publicEndorsements(t)) != 0 {
			t.Fatalf("a revoked endorsement still counts or shows: %v %v", page, calls)
		}
		waitSent(t, e)
		if n := len(e.smtp.To("real@example.org")); n != 3 {
			t.Fatalf("%d emails to the contact, want verification, rejection and approval only", n)
		}
		audit := string(mustJSON(t, e.get("/api/v1/admin/audit", e.token(store.RoleAdmin)).JSON(t)))
		for _, action := range []string{"endorsement.reject", "endorsement.approve", "endorsement.revoke"} {
			if !strings.Contains(audit, `"`+action+`"`) {
				t.Errorf("%s is not audited", action)
			}
		}
		e.send("POST", "/api/v1/admin/endorsements/no-such-id/approve", moderator, nil).wantError(t, 404, "not_found")
	})
}

func TestUnverifiedEndorsementCannotBeReviewed(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		e.send("POST", demo+"/endorsements", "", endorseBody("Unverified Org", "u@example.org")).wantStatus(t, 202)
		e.settle()
		unverified := e.staffEndorsements(t, "?status=unverified")
		if len(unverified) != 1 || unverified[0]["verified_at"] != nil {
			t.Fatalf("unverified list = %v", unverified)
		}
		id := unverified[0]["id"].(string)
		e.send("POST", "/api/v1/admin/endorsements/"+id+"/approve", e.token(store.RoleModerator), nil).wantError(t, 409, "conflict")
		e.send("POST", "/api/v1/admin/endorsements/"+id+"/reject", e.token(store.RoleModerator), map[string]any{"reason": "no"}).wantError(t, 409, "conflict")
	})
}

func TestEndorseBadInputs(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		ids := e.demoCallIDs(t)
		other := e.send("POST", "/api/v1/admin/campaigns", e.token(store.RoleEditor), newCampaign()).wantStatus(t, 201).JSON(t)
		otherCall := other["calls"].([]any)[0].(map[string]any)["id"]
		cases := []struct {
			name  string
			edit  func(map[string]any)
			field string
		}{
			{"unknown call id", func(b map[string]any) { b["calls"] = []any{ids[0], "no-such-call"} }, "calls"},
			{"a call of another campaign", func(b map[string]any) { b["calls"] = []any{otherCall} }, "calls"},
			{"empty calls", func(b map[string]any) { b["calls"] = []any{} }, "calls"},
			{"duplicate call ids", func(b map[string]any) { b["calls"] = []any{ids[1], ids[1]} }, "calls"},
			{"calls not a list", func(b map[string]any) { b["calls"] = "all" }, "calls"},
			{"website without a scheme", func(b map[string]any) { b["website"] = "spring96.org" }, "website"},
			{"website of another scheme", func(b map[string]any) { b["website"] = "javascript:alert(1)" }, "website"},
			{"website ftp", func(b map[string]any) { b["website"] = "ftp://spring96.org" }, "website"},
			{"website without a host", func(b map[string]any) { b["website"] = "https://" }, "website"},
			{"website with a space", func(b map[string]any) { b["website"] = "https://spring 96.org" }, "website"},
			{"website with a password", func(b map[string]any) { b["website"] = "https://user:pw@spring96.org" }, "website"},
			{"website too long", func(b map[string]any) { b["website"] = "https://spring96.org/" + strings.Repeat("a", 300) }, "website"},
			{"bad type", func(b map[string]any) { b["org_type"] = "company" }, "org_type"},
			{"no type", func(b map[string]any) { delete(b, "org_type") }, "org_type"},
			{"no organization", func(b map[string]any) { delete(b, "organization") }, "organization"},
			{"organization too short", func(b map[string]any) { b["organization"] = " X " }, "organization"},
			{"organization too long", func(b map[string]any) { b["organization"] = strings.Repeat("o", 201) }, "organization"},
			{"organization with a control character", func(b map[string]any) { b["organization"] = "Org\x07anisation" }, "organization"},
			{"no country", func(b map[string]any) { delete(b, "country") }, "country"},
			{"bad country", func(b map[string]any) { b["country"] = "Lithuania" }, "country"},
			{"no contact name", func(b map[string]any) { delete(b, "contact_name") }, "contact_name"},
			{"contact name too long", func(b map[string]any) { b["contact_name"] = strings.Repeat("n", 101) }, "contact_name"},
			{"no contact email", func(b map[string]any) { delete(b, "contact_email") }, "contact_email"},
			{"bad contact email", func(b map[string]any) { b["contact_email"] = "office@" }, "contact_email"},
			{"statement too long", func(b map[string]any) { b["statement"] = strings.Repeat("s", 1001) }, "statement"},
			{"unknown field", func(b map[string]any) { b["contact_phone"] = "+370" }, "contact_phone"},
			{"wrong type", func(b map[string]any) { b["confidential"] = "yes" }, "confidential"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				b := endorseBody("Viasna Human Rights Centre", "office@example.org")
				c.edit(b)
				fields := e.send("POST", demo+"/endorsements", "", b).wantError(t, 422, "validation_failed")
				if fields[c.field] == nil {
					t.Fatalf("fields = %v, want %q", fields, c.field)
				}
			})
		}
		e.do(req{method: "POST", path: demo + "/endorsements", raw: `{"organization":`, contentType: "application/json"}).wantError(t, 400, "bad_request")
		e.send("POST", "/api/v1/campaigns/no-such/endorsements", "", endorseBody("Some Org", "a@example.org")).wantError(t, 404, "not_found")
		e.send("POST", "/api/v1/endorsements/confirm", "", map[string]string{}).wantError(t, 422, "validation_failed")
		if n := e.count("intake") + e.count("endorsements") + e.count("endorsement_calls") + e.count("mail_messages"); n != 0 {
			t.Fatalf("bad inputs wrote %d rows", n)
		}
	})
}

func TestEndorseClosedOrDraftCampaign(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		editor := e.token(store.RoleEditor)
		e.send("PATCH", "/api/v1/admin/campaigns/"+seededSlug, editor, map[string]any{"status": "closed"}).wantStatus(t, 200)
		e.send("POST", demo+"/endorsements", "", endorseBody("Some Org", "a@example.org")).wantReason(t, 409, "conflict", "campaign_closed")
		e.send("PATCH", "/api/v1/admin/campaigns/"+seededSlug, editor, map[string]any{"status": "draft"}).wantStatus(t, 200)
		e.send("POST", demo+"/endorsements", "", endorseBody("Some Org", "a@example.org")).wantError(t, 404, "not_found")
		e.get(demo+"/endorsements", "").wantError(t, 404, "not_found")
		if n := e.count("intake") + e.count("endorsements"); n != 0 {
			t.Fatalf("%d endorsements stored", n)
		}
	})
}

func TestRepeatedEndorsementAnswersAlike(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		// The same organisation, spelt differently, while unverified: one
		// row, the link sent again (at most three more times), each new
		// link replacing the one before.
		names := []string{"Viasna e.V.", "VIASNA", "  viasna  ", "The Viasna", "Viasna!"}
		for i, name := range names {
			r := e.send("POST", demo+"/endorsements", "", endorseBody(name, "office@example.org")).wantStatus(t, 202).JSON(t)
			if r["status"] != "pending" {
				t.Fatalf("submission %d answered %v", i, r)
			}
		}
		e.settle()
		waitSent(t, e)
		msgs := e.smtp.To("office@example.org")
		if n := e.count("endorsements"); n != 1 || len(msgs) != 4 {
			t.Fatalf("%d rows and %d emails, want 1 row and 4 emails", n, len(msgs))
		}
		working := 0
		for _, m := range msgs {
			r := e.send("POST", "/api/v1/endorsements/confirm", "", map[string]string{"token": linkIn(t, m.Text, "/endorse/confirm/")})
			if r.Status == 200 {
				working++
			} else {
				r.wantError(t, 404, "not_found")
			}
		}
		if working != 1 {
			t.Fatalf("%d links work, want only the last one sent", working)
		}
		if it := e.staffEndorsements(t, ""); len(it) != 1 || it[0]["organization"] != "The Viasna" {
			t.Fatalf("queue = %v: the last details sent should be kept", it)
		}

		// Once verified, a new submission is a new endorsement, flagged to
		// the moderator as a likely duplicate; the answer is the same.
		e.send("POST", demo+"/endorsements", "", endorseBody("Viasna", "other@example.org")).wantStatus(t, 202)
		e.send("POST", demo+"/endorsements", "", endorseBody("Viasna", "other@example.org")).wantStatus(t, 202)
		e.settle()
		if n := e.count("endorsements"); n != 2 {
			t.Fatalf("%d endorsements, want 2", n)
		}
	})
}

// Someone who knows an organisation's name cannot take over its pending
// verification: their submission is a row of its own, and the first
// contact's link keeps working.
func TestAnotherContactCannotTakeOverAPendingEndorsement(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		e.send("POST", demo+"/endorsements", "", endorseBody("Viasna", "office@viasna.example")).wantStatus(t, 202)
		e.send("POST", demo+"/endorsements", "", endorseBody("Viasna", "impostor@example.org")).wantStatus(t, 202)
		waitSent(t, e)
		if n := e.count("endorsements"); n != 2 {
			t.Fatalf("%d endorsements, want 2", n)
		}
		for _, to := range []string{"office@viasna.example", "impostor@example.org"} {
			msgs := e.smtp.To(to)
			if len(msgs) != 1 {
				t.Fatalf("%d emails to %s", len(msgs), to)
			}
			e.send("POST", "/api/v1/endorsements/confirm", "", map[string]string{"token": linkIn(t, msgs[0].Text, "/endorse/confirm/")}).wantStatus(t, 200)
		}
		flagged := 0
		for _, it := range e.staffEndorsements(t, "") {
			if it["duplicate_of"] != nil {
				flagged++
			}
		}
		if flagged != 1 {
			t.Fatalf("%d of the two flagged as a duplicate, want 1", flagged)
		}
	})
}

func TestDuplicateOrganisationsAreFlagged(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		first := endorseBody("Viasna Human Rights Centre", "a@example.org")
		first["website"] = "https://spring96.example"
		original := e.endorseAndVerify(t, first)
		e.send("POST", "/api/v1/admin/endorsements/"+original+"/approve", e.token(store.RoleModerator), nil).wantStatus(t, 200)

		sameName := endorseBody("VIASNA human-rights centre, e.V.", "b@example.org")
		sameSite := endorseBody("Spring Ninety-Six", "c@example.org")
		sameSite["country"], sameSite["website"] = "PL", "http://www.Spring96.example/pl/"
		otherCountry := endorseBody("Viasna Human Rights Centre", "d@example.org")
		otherCountry["country"] = "PL"
		for _, b := range []map[string]any{sameName, sameSite, otherCountry} {
			e.endorseAndVerify(t, b)
		}
		dup := map[string]any{}
		for _, it := range e.staffEndorsements(t, "") {
			dup[it["contact_email"].(string)] = it["duplicate_of"]
		}
		want := map[string]any{"id": original, "display_name": "Viasna Human Rights Centre", "status": "approved"}
		if !reflect.DeepEqual(dup["b@example.org"], want) || !reflect.DeepEqual(dup["c@example.org"], want) {
			t.Fatalf("same name or same site not flagged: %v", dup)
		}
		if dup["d@example.org"] != nil {
			t.Fatalf("the same name in another country is flagged: %v", dup["d@example.org"])
		}
		waitSent(t, e)
		notices := e.smtp.To("moderator@example.org")
		flagged := 0
		for _, n := range notices {
			if strings.Contains(n.Text, "looks like") {
				flagged++
			}
		}
		if len(notices) != 4 || flagged != 2 {
			t.Fatalf("%d notices, %d saying it looks like a duplicate; want 4 and 2", len(notices), flagged)
		}
	})
}

func TestEndorsementVerificationLinkExpires(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		e.send("POST", demo+"/endorsements", "", endorseBody("Late Org", "late@example.org")).wantStatus(t, 202)
		token := linkIn(t, e.waitMail(t, "late@example.org", 1)[0].Text, "/endorse/confirm/")
		e.send("POST", "/api/v1/endorsements/confirm", "", map[string]string{"token": "no-such-token-at-all-here"}).wantError(t, 404, "not_found")
		if err := e.db.Exec(t.Context(), "UPDATE endorsements SET token_expires_at = ?", time.Now().UTC().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		e.send("POST", "/api/v1/endorsements/confirm", "", map[string]string{"token": token}).wantError(t, 404, "not_found")
		if n, err := e.db.DeleteUnverifiedEndorsements(t.Context()); err != nil || n != 1 {
			t.Fatalf("deleted %d unverified, %v", n, err)
		}
		if n := e.count("endorsements"); n != 0 {
			t.Fatalf("%d endorsements remain", n)
		}
	})
}

func TestEndorseRateLimit(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		for i := 0; i < 20; i++ {
			e.send("POST", demo+"/endorsements", "", endorseBody(fmt.Sprintf("Organisation %d", i), "o@example.org")).wantStatus(t, 202)
		}
		r := e.send("POST", demo+"/endorsements", "", endorseBody("Organisation 20", "o@example.org"))
		r.wantError(t, 429, "rate_limited")
		if r.Header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
	})
}

func TestConcurrentEndorsementsOfOneOrganisationMakeOne(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		var wg sync.WaitGroup
		statuses := make([]int, 15)
		for i := range statuses {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				b := endorseBody(fmt.Sprintf("Same  Organisation%s", strings.Repeat(".", i%3)), "contact@example.org")
				statuses[i] = e.send("POST", demo+"/endorsements", "", b).Status
			}(i)
		}
		wg.Wait()
		for i, st := range statuses {
			if st != 202 {
				t.Fatalf("request %d answered %d", i, st)
			}
		}
		e.settle() // the intake worker stores them in the background
		if n := e.count("endorsements"); n != 1 {
			t.Fatalf("%d endorsements stored, want 1", n)
		}
		waitSent(t, e)
		if n := len(e.smtp.Messages()); n != 1+store.MaxResends {
			t.Fatalf("%d verification emails, want 1 plus %d resends", n, store.MaxResends)
		}
		// Every link but the last one sent is dead; verifying it from two
		// requests at once tells the reviewers once.
		var verified sync.WaitGroup
		for _, m := range e.smtp.Messages() {
			for j := 0; j < 2; j++ {
				verified.Add(1)
				go func(text string) {
					defer verified.Done()
					e.send("POST", "/api/v1/endorsements/confirm", "", map[string]string{"token": linkIn(t, text, "/endorse/confirm/")})
				}(m.Text)
			}
		}
		verified.Wait()
		waitSent(t, e)
		if n := len(e.smtp.To("moderator@example.org")); n != 1 {
			t.Fatalf("%d staff notices to the moderator, want 1", n)
		}
	})
}

func TestEndorsementStoresNoIP(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds(t) {
		t.Run(string(kind), func(t *testing.T) {
			db := storetest.New(t, kind)
			e := newMailEnv(t, db, func(c *config.Config) { c.TrustedProxies = []string{"0.0.0.0/0"} })
			const ip = "198.51.100.23"
			e.do(req{method: "POST", path: demo + "/endorsements", body: endorseBody("Hidden Org", "hidden@example.org"),
				headers: map[string]string{"X-Forwarded-For": ip}}).wantStatus(t, 202)
			waitSent(t, e)
			if n, err := e.db.CountWhere(t.Context(), "endorsements", "ip_hash IS NOT NULL"); err != nil || n != 0 {
				t.Fatalf("%d endorsements with an ip hash, %v: none may keep one", n, err)
			}
			if err := e.db.Checkpoint(t.Context()); err != nil {
				t.Fatal(err)
			}
			raw := rawDatabase(t, db)
			if !bytes.Contains(raw, []byte("Hidden Org")) {
				t.Fatal("the organisation is not in the raw database: the search reads the wrong thing")
			}
			if bytes.Contains(raw, []byte(ip)) {
				t.Error("the IP address is stored in the database")
			}
		})
	}
}
