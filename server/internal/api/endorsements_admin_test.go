package api_test

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/store"
)

func TestEndorsementsCSVIsAdminOnlyAndAudited(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		ids := e.demoCallIDs(t)
		formula := endorseBody("=HYPERLINK(\"http://evil\")", "formula@example.org")
		formula["calls"] = []any{ids[2], ids[0]}
		e.endorseAndVerify(t, formula)
		quiet := endorseBody("Quiet Solidarity Fund", "quiet@example.org")
		quiet["confidential"] = true
		id := e.endorseAndVerify(t, quiet)
		e.send("POST", "/api/v1/admin/endorsements/"+id+"/approve", e.token(store.RoleModerator), nil).wantStatus(t, 200)
		e.send("POST", demo+"/endorsements", "", endorseBody("Never Verified", "never@example.org")).wantStatus(t, 202)
		e.settle() // the intake has written it

		url := "/api/v1/admin/campaigns/" + seededSlug + "/endorsements.csv"
		for _, role := range []store.Role{store.RoleEditor, store.RoleModerator, store.RoleViewer} {
			e.get(url, e.token(role)).wantError(t, 403, "forbidden")
		}
		admin := e.token(store.RoleAdmin)
		r := e.get(url, admin).wantStatus(t, 200)
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !strings.Contains(r.Header.Get("Content-Disposition"), seededSlug+"-endorsements.csv") {
			t.Fatalf("headers %v", r.Header)
		}
		rows, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
		if err != nil {
			t.Fatalf("csv: %v\n%s", err, r.Body)
		}
		if len(rows) != 4 || rows[0][1] != "organization" {
			t.Fatalf("csv has %d rows, want a header and 3:\n%s", len(rows), r.Body)
		}
		byOrg := map[string][]string{}
		for _, row := range rows[1:] {
			byOrg[row[1]] = row
		}
		f := byOrg[`'=HYPERLINK("http://evil")`]
		if f == nil || f[7] != "1 3" || f[10] != "formula@example.org" || f[11] != "awaiting_review" {
			t.Fatalf("the formula row is not neutralised or lacks its calls and contact: %v\n%s", f, r.Body)
		}
		q := byOrg["Quiet Solidarity Fund"]
		if q == nil || q[7] != "all" || q[8] != "true" || q[11] != "approved" || q[17] != "moderator@example.org" {
			t.Fatalf("the confidential row = %v", q)
		}
		if byOrg["Never Verified"] == nil || byOrg["Never Verified"][11] != "unverified" {
			t.Fatalf("the unverified row is missing: %v", byOrg)
		}
		only := e.get(url+"?status=approved", admin).wantStatus(t, 200)
		if n := strings.Count(strings.TrimSpace(string(only.Body)), "\n"); n != 1 {
			t.Fatalf("?status=approved exported %d rows, want 1", n)
		}
		e.get(url+"?status=bogus", admin).wantError(t, 422, "validation_failed")
		e.get("/api/v1/admin/campaigns/no-such/endorsements.csv", admin).wantError(t, 404, "not_found")

		audit := string(mustJSON(t, e.get("/api/v1/admin/audit", admin).JSON(t)))
		if !strings.Contains(audit, `"endorsements.export"`) || !strings.Contains(audit, `"rows":3`) || !strings.Contains(audit, `"rows":1`) {
			t.Fatalf("the exports are not audited with their rows: %s", audit)
		}
	})
}

func TestStaffEndorsementListFiltersCountsAndAudit(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		moderator := e.token(store.RoleModerator)
		a := e.endorseAndVerify(t, endorseBody("First Org", "first@example.org"))
		e.endorseAndVerify(t, endorseBody("Second Org", "second@example.org"))
		e.send("POST", "/api/v1/admin/endorsements/"+a+"/approve", moderator, nil).wantStatus(t, 200)
		open := newCampaign()
		delete(open, "closes_at")
		other := e.send("POST", "/api/v1/admin/campaigns", e.token(store.RoleEditor), open).wantStatus(t, 201).JSON(t)
		otherBody := endorseBody("Other Campaign Org", "other@example.org")
		e.send("POST", "/api/v1/campaigns/"+other["slug"].(string)+"/endorsements", "", otherBody).wantStatus(t, 202)
		e.settle()

		list := func(query string) map[string]any {
			t.Helper()
			return e.get("/api/v1/admin/endorsements"+query, moderator).wantStatus(t, 200).JSON(t)
		}
		names := func(body map[string]any) []string {
			var out []string
			for _, it := range body["items"].([]any) {
				out = append(out, it.(map[string]any)["organization"].(string))
			}
			return out
		}
		if got := names(list("")); len(got) != 1 || got[0] != "Second Org" {
			t.Fatalf("the default list is the review queue: %v", got)
		}
		if got := names(list("?status=approved")); len(got) != 1 || got[0] != "First Org" {
			t.Fatalf("approved = %v", got)
		}
		if got := names(list("?status=all")); len(got) != 3 || got[0] != "First Org" || got[2] != "Other Campaign Org" {
			t.Fatalf("all, oldest first = %v", got)
		}
		body := list("?status=all&campaign=" + seededSlug)
		if got := names(body); len(got) != 2 {
			t.Fatalf("the demo campaign's = %v", got)
		}
		counts := body["counts"].(map[string]any)
		if counts["approved"] != float64(1) || counts["awaiting_review"] != float64(1) || counts["unverified"] != float64(0) || counts["rejected"] != float64(0) {
			t.Fatalf("counts = %v", counts)
		}
		if got := names(list("?status=unverified&campaign=" + other["slug"].(string))); len(got) != 1 || got[0] != "Other Campaign Org" {
			t.Fatalf("other campaign's unverified = %v", got)
		}
		e.get("/api/v1/admin/endorsements?status=pending", moderator).wantError(t, 422, "validation_failed")
		e.get("/api/v1/admin/endorsements?campaign=no-such", moderator).wantError(t, 422, "validation_failed")

		audit := string(mustJSON(t, e.get("/api/v1/admin/audit", e.token(store.RoleAdmin)).JSON(t)))
		if !strings.Contains(audit, `"endorsements.list"`) || !strings.Contains(audit, "moderator@example.org") {
			t.Fatalf("reading the list is not audited: %s", audit)
		}
	})
}

func TestRenameEndorsement(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		moderator := e.token(store.RoleModerator)
		id := e.endorseAndVerify(t, endorseBody("bel. assoc. of journalists", "baj@example.org"))
		path := "/api/v1/admin/endorsements/" + id
		e.send("PATCH", path, moderator, map[string]any{}).wantError(t, 422, "validation_failed")
		e.send("PATCH", path, moderator, map[string]any{"display_name": "X"}).wantError(t, 422, "validation_failed")
		e.send("PATCH", path, moderator, map[string]any{"display_name": strings.Repeat("n", 201)}).wantError(t, 422, "validation_failed")
		fields := e.send("PATCH", path, moderator, map[string]any{"display_name": "BAJ", "status": "approved"}).wantError(t, 422, "validation_failed")
		if fields["status"] == nil {
			t.Fatalf("fields = %v: the status is changed by approve, not PATCH", fields)
		}
		e.send("PATCH", "/api/v1/admin/endorsements/no-such-id", moderator, map[string]any{"display_name": "BAJ"}).wantError(t, 404, "not_found")

		renamed := e.send("PATCH", path, moderator, map[string]any{"display_name": "  Belarusian   Association of Journalists "}).wantStatus(t, 200).JSON(t)
		if renamed["display_name"] != "Belarusian Association of Journalists" || renamed["organization"] != "bel. assoc. of journalists" || renamed["status"] != "awaiting_review" {
			t.Fatalf("PATCH answered %v", renamed)
		}
		e.send("POST", path+"/approve", moderator, nil).wantStatus(t, 200)
		approval := e.waitMail(t, "baj@example.org", 2)[1]
		if !strings.Contains(approval.Text, "Belarusian Association of Journalists") {
			t.Errorf("the approval email does not use the display name:\n%s", approval.Text)
		}
		if listed := e.publicEndorsements(t); len(listed) != 1 || listed[0]["name"] != "Belarusian Association of Journalists" {
			t.Fatalf("public = %v", listed)
		}
		audit := string(mustJSON(t, e.get("/api/v1/admin/audit", e.token(store.RoleAdmin)).JSON(t)))
		if !strings.Contains(audit, `"endorsement.rename"`) || !strings.Contains(audit, "display_name=Belarusian Association of Journalists") {
			t.Fatalf("the rename is not audited: %s", audit)
		}
	})
}

func TestEveryReviewerRoleMayReview(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		for _, role := range []store.Role{store.RoleModerator, store.RoleEditor, store.RoleAdmin} {
			id := e.endorseAndVerify(t, endorseBody("Org reviewed by "+string(role), string(role)+"-org@example.org"))
			e.send("POST", "/api/v1/admin/endorsements/"+id+"/approve", e.token(store.RoleViewer), nil).wantError(t, 403, "forbidden")
			e.send("POST", "/api/v1/admin/endorsements/"+id+"/approve", "", nil).wantError(t, 401, "unauthorized")
			r := e.send("POST", "/api/v1/admin/endorsements/"+id+"/approve", e.token(role), nil).wantStatus(t, 200).JSON(t)
			if r["reviewed_by"] != string(role)+"@example.org" {
				t.Fatalf("reviewed_by = %v, want the %s", r["reviewed_by"], role)
			}
		}
		e.get("/api/v1/admin/endorsements", e.token(store.RoleViewer)).wantError(t, 403, "forbidden")
		if page, _, _ := e.endorsementCounts(t); page != 3 {
			t.Fatalf("count = %v, want 3", page)
		}
	})
}

func TestEndorsementHousekeeping(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		id := e.endorseAndVerify(t, endorseBody("Retained Org", "retained@example.org"))
		e.send("POST", "/api/v1/admin/endorsements/"+id+"/approve", e.token(store.RoleModerator), nil).wantStatus(t, 200)
		waitSent(t, e)

		if n, err := e.db.PurgeEndorsementIPHashes(t.Context(), time.Now().Add(-time.Hour)); err != nil || n != 0 {
			t.Fatalf("purged %d recent ip hashes, %v", n, err)
		}
		// Rows from before ip hashes stopped being kept still lose theirs.
		if err := e.db.Exec(t.Context(), "UPDATE endorsements SET ip_hash = 'legacy'"); err != nil {
			t.Fatal(err)
		}
		if n, err := e.db.PurgeEndorsementIPHashes(t.Context(), time.Now().Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("purged %d ip hashes, %v", n, err)
		}

		// Open, or closed within the retention period: the contact stays.
		if n, err := e.db.AnonymiseEndorsementContacts(t.Context()); err != nil || n != 0 {
			t.Fatalf("anonymised %d of an open campaign, %v", n, err)
		}
		e.send("PATCH", "/api/v1/admin/campaigns/"+seededSlug, e.token(store.RoleEditor), map[string]any{"status": "closed"}).wantStatus(t, 200)
		if n, err := e.db.AnonymiseEndorsementContacts(t.Context()); err != nil || n != 0 {
			t.Fatalf("anonymised %d within the retention period, %v", n, err)
		}
		if err := e.db.Exec(t.Context(), "UPDATE campaigns SET closed_at = ?", time.Now().UTC().Add(-91*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n, err := e.db.AnonymiseEndorsementContacts(t.Context()); err != nil || n != 1 {
			t.Fatalf("anonymised %d past retention, %v", n, err)
		}
		staff := e.staffEndorsements(t, "?status=approved")
		if len(staff) != 1 || staff[0]["contact_name"] != nil || staff[0]["contact_email"] != nil || staff[0]["organization"] != "Retained Org" {
			t.Fatalf("after retention the staff see %v", staff)
		}
		if left, err := e.db.CountWhere(t.Context(), "endorsements", "ip_hash IS NOT NULL OR contact_encrypted IS NOT NULL OR contact_hash IS NOT NULL OR contact_sealed IS NOT NULL"); err != nil || left != 0 {
			t.Fatalf("%d endorsements keep personal data, %v", left, err)
		}
		if listed := e.publicEndorsements(t); len(listed) != 1 || listed[0]["name"] != "Retained Org" {
			t.Fatalf("the organisation should stay listed: %v", listed)
		}
	})
}
