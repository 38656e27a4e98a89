package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bnp/undersigned/server/internal/store"
)

const seededSlug = "release-all-political-prisoners"

// staffRoute is one route of api.go that needs a staff token.
type staffRoute struct {
	method, pattern string
	min             store.Role
	// path and body make a request that a permitted role could carry out.
	path func(e *env) string
	body func(e *env, role store.Role) any
}

func fixed(p string) func(*env) string { return func(*env) string { return p } }

// staffRoutes is every staff route of api.go with the least role it admits.
// TestEveryStaffRouteIsInTheRoleTable keeps it complete.
var staffRoutes = []staffRoute{
	{method: "GET", pattern: "/api/v1/auth/me", min: store.RoleViewer, path: fixed("/api/v1/auth/me")},

	{method: "GET", pattern: "/api/v1/admin/campaigns", min: store.RoleEditor, path: fixed("/api/v1/admin/campaigns")},
	{method: "POST", pattern: "/api/v1/admin/campaigns", min: store.RoleEditor, path: fixed("/api/v1/admin/campaigns"),
		body: func(_ *env, role store.Role) any {
			return map[string]any{"slug": "made-by-" + string(role), "title": "Made by " + string(role)}
		}},
	{method: "GET", pattern: "/api/v1/admin/campaigns/:slug", min: store.RoleEditor, path: fixed("/api/v1/admin/campaigns/" + seededSlug)},
	{method: "PATCH", pattern: "/api/v1/admin/campaigns/:slug", min: store.RoleEditor, path: fixed("/api/v1/admin/campaigns/" + seededSlug),
		body: func(_ *env, role store.Role) any { return map[string]any{"summary": "Edited by " + string(role)} }},
	{method: "DELETE", pattern: "/api/v1/admin/campaigns/:slug", min: store.RoleEditor, path: fixed("/api/v1/admin/campaigns/no-such-campaign")},
	{method: "POST", pattern: "/api/v1/admin/campaigns/preview", min: store.RoleEditor, path: fixed("/api/v1/admin/campaigns/preview"),
		body: func(*env, store.Role) any { return map[string]any{"body": "**Preview**"} }},
	{method: "GET", pattern: "/api/v1/admin/outbox", min: store.RoleAdmin, path: fixed("/api/v1/admin/outbox")},
	{method: "GET", pattern: "/api/v1/admin/outbox/status", min: store.RoleAdmin, path: fixed("/api/v1/admin/outbox/status")},

	{method: "GET", pattern: "/api/v1/admin/campaigns/:slug/dashboard", min: store.RoleViewer, path: fixed("/api/v1/admin/campaigns/" + seededSlug + "/dashboard")},
	{method: "GET", pattern: "/api/v1/admin/contacts", min: store.RoleEditor, path: fixed("/api/v1/admin/contacts")},
	{method: "POST", pattern: "/api/v1/admin/contacts", min: store.RoleEditor, path: fixed("/api/v1/admin/contacts"),
		body: func(_ *env, role store.Role) any {
			return map[string]any{"name": "Official", "email": "official-" + string(role) + "@example.eu", "region": "eu"}
		}},
	{method: "POST", pattern: "/api/v1/admin/contacts/import", min: store.RoleEditor, path: fixed("/api/v1/admin/contacts/import")},
	{method: "PATCH", pattern: "/api/v1/admin/contacts/:id", min: store.RoleEditor, path: fixed("/api/v1/admin/contacts/no-such-contact"),
		body: func(*env, store.Role) any { return map[string]any{"title": "MEP"} }},
	{method: "DELETE", pattern: "/api/v1/admin/contacts/:id", min: store.RoleEditor, path: fixed("/api/v1/admin/contacts/no-such-contact")},
	{method: "DELETE", pattern: "/api/v1/admin/contacts/:id/bounce", min: store.RoleEditor, path: fixed("/api/v1/admin/contacts/no-such-contact/bounce")},
	{method: "GET", pattern: "/api/v1/admin/digests", min: store.RoleEditor, path: fixed("/api/v1/admin/digests")},
	{method: "POST", pattern: "/api/v1/admin/digests", min: store.RoleEditor, path: fixed("/api/v1/admin/digests"),
		body: func(*env, store.Role) any {
			return map[string]any{"region": "eu", "campaigns": []string{seededSlug}, "subject": "Update"}
		}},
	{method: "GET", pattern: "/api/v1/admin/campaigns/:slug/updates", min: store.RoleEditor, path: fixed("/api/v1/admin/campaigns/" + seededSlug + "/updates")},
	{method: "POST", pattern: "/api/v1/admin/campaigns/:slug/updates", min: store.RoleEditor, path: fixed("/api/v1/admin/campaigns/" + seededSlug + "/updates")},
	{method: "GET", pattern: "/api/v1/admin/campaigns/:slug/updates/:id", min: store.RoleEditor, path: fixed("/api/v1/admin/campaigns/" + seededSlug + "/updates/no-such")},
	{method: "PATCH", pattern: "/api/v1/admin/campaigns/:slug/updates/:id", min: store.RoleEditor, path: fixed("/api/v1/admin/campaigns/" + seededSlug + "/updates/no-such")},
	{method: "GET", pattern: "/api/v1/admin/campaigns/:slug/updates/:id/preview", min: store.RoleEditor, path: fixed("/api/v1/admin/campaigns/" + seededSlug + "/updates/no-such/preview")},
	{method: "POST", pattern: "/api/v1/admin/campaigns/:slug/updates/:id/test", min: store.RoleEditor, path: fixed("/api/v1/admin/campaigns/" + seededSlug + "/updates/no-such/test")},
	{method: "POST", pattern: "/api/v1/admin/campaigns/:slug/updates/:id/send", min: store.RoleEditor, path: fixed("/api/v1/admin/campaigns/" + seededSlug + "/updates/no-such/send")},
	{method: "GET", pattern: "/api/v1/admin/digests/:id", min: store.RoleEditor, path: fixed("/api/v1/admin/digests/no-such-digest")},
	{method: "GET", pattern: "/api/v1/admin/digests/:id/preview", min: store.RoleEditor, path: fixed("/api/v1/admin/digests/no-such-digest/preview")},
	{method: "POST", pattern: "/api/v1/admin/digests/:id/preview-link", min: store.RoleEditor, path: fixed("/api/v1/admin/digests/no-such-digest/preview-link"),
		body: func(*env, store.Role) any { return map[string]any{"format": "html", "language": "en"} }},
	{method: "POST", pattern: "/api/v1/admin/digests/:id/test", min: store.RoleEditor, path: fixed("/api/v1/admin/digests/no-such-digest/test"),
		body: func(*env, store.Role) any { return map[string]any{"email": "me@example.org"} }},
	{method: "POST", pattern: "/api/v1/admin/digests/:id/send", min: store.RoleEditor, path: fixed("/api/v1/admin/digests/no-such-digest/send")},
	{method: "POST", pattern: "/api/v1/admin/digests/:id/cancel", min: store.RoleEditor, path: fixed("/api/v1/admin/digests/no-such-digest/cancel")},
	{method: "GET", pattern: "/api/v1/admin/schedules", min: store.RoleEditor, path: fixed("/api/v1/admin/schedules")},
	{method: "POST", pattern: "/api/v1/admin/schedules", min: store.RoleEditor, path: fixed("/api/v1/admin/schedules"),
		body: func(*env, store.Role) any { return scheduleBody() }},
	{method: "PATCH", pattern: "/api/v1/admin/schedules/:id", min: store.RoleEditor, path: fixed("/api/v1/admin/schedules/no-such-schedule"),
		body: func(*env, store.Role) any { return map[string]any{"active": false} }},
	{method: "DELETE", pattern: "/api/v1/admin/schedules/:id", min: store.RoleEditor, path: fixed("/api/v1/admin/schedules/no-such-schedule")},
	{method: "GET", pattern: "/api/v1/admin/campaigns/:slug/surge", min: store.RoleModerator, path: fixed("/api/v1/admin/campaigns/" + seededSlug + "/surge")},

	{method: "GET", pattern: "/api/v1/admin/campaigns/:slug/signatures", min: store.RoleAdmin, path: fixed("/api/v1/admin/campaigns/" + seededSlug + "/signatures")},
	{method: "GET", pattern: "/api/v1/admin/campaigns/:slug/signatures.csv", min: store.RoleAdmin, path: fixed("/api/v1/admin/campaigns/" + seededSlug + "/signatures.csv")},
	{method: "POST", pattern: "/api/v1/admin/campaigns/:slug/signatures.csv", min: store.RoleAdmin, path: fixed("/api/v1/admin/campaigns/" + seededSlug + "/signatures.csv")},
	{method: "POST", pattern: "/api/v1/admin/campaigns/:slug/invalidations", min: store.RoleAdmin, path: fixed("/api/v1/admin/campaigns/" + seededSlug + "/invalidations"),
		body: func(*env, store.Role) any { return map[string]any{"domain": "spam.example"} }},
	{method: "GET", pattern: "/api/v1/admin/campaigns/:slug/endorsements.csv", min: store.RoleAdmin, path: fixed("/api/v1/admin/campaigns/" + seededSlug + "/endorsements.csv")},

	{method: "GET", pattern: "/api/v1/admin/endorsements", min: store.RoleModerator, path: fixed("/api/v1/admin/endorsements?status=all")},
	{method: "PATCH", pattern: "/api/v1/admin/endorsements/:id", min: store.RoleModerator, path: fixed("/api/v1/admin/endorsements/no-such-endorsement"),
		body: func(*env, store.Role) any { return map[string]any{"display_name": "Renamed"} }},
	{method: "POST", pattern: "/api/v1/admin/endorsements/:id/approve", min: store.RoleModerator, path: fixed("/api/v1/admin/endorsements/no-such-endorsement/approve")},
	{method: "POST", pattern: "/api/v1/admin/endorsements/:id/reject", min: store.RoleModerator, path: fixed("/api/v1/admin/endorsements/no-such-endorsement/reject"),
		body: func(*env, store.Role) any { return map[string]any{"reason": "Not an organisation"} }},
	{method: "POST", pattern: "/api/v1/admin/endorsements/:id/revoke", min: store.RoleModerator, path: fixed("/api/v1/admin/endorsements/no-such-endorsement/revoke")},

	{method: "GET", pattern: "/api/v1/admin/users", min: store.RoleAdmin, path: fixed("/api/v1/admin/users")},
	{method: "POST", pattern: "/api/v1/admin/users", min: store.RoleAdmin, path: fixed("/api/v1/admin/users"),
		body: func(_ *env, role store.Role) any {
			return map[string]any{"email": "new-" + string(role) + "@example.org", "password": testPassword, "role": "viewer"}
		}},
	{method: "PATCH", pattern: "/api/v1/admin/users/:id", min: store.RoleAdmin,
		path: func(e *env) string { return "/api/v1/admin/users/" + e.users[store.RoleViewer].ID },
		body: func(*env, store.Role) any { return map[string]any{"role": "viewer"} }},
	{method: "GET", pattern: "/api/v1/admin/audit", min: store.RoleAdmin, path: fixed("/api/v1/admin/audit")},
}

var allRoles = []store.Role{store.RoleAdmin, store.RoleEditor, store.RoleModerator, store.RoleViewer}

func TestStaffRoutesByRole(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		tokens := map[store.Role]string{}
		for _, role := range allRoles {
			tokens[role] = e.token(role)
		}
		for _, rt := range staffRoutes {
			t.Run(rt.method+" "+rt.pattern, func(t *testing.T) {
				send := func(token string, role store.Role) response {
					r := req{method: rt.method, path: rt.path(e), token: token}
					if rt.body != nil {
						r.body = rt.body(e, role)
					}
					return e.do(r)
				}
				send("", "").wantError(t, 401, "unauthorized")
				for _, role := range allRoles {
					r := send(tokens[role], role)
					if !role.Includes(rt.min) {
						if r.Status != 403 {
							t.Errorf("%s: status %d, want 403 below %s; body %s", role, r.Status, rt.min, r.Body)
							continue
						}
						r.wantError(t, 403, "forbidden")
						continue
					}
					if r.Status == 401 || r.Status == 403 || r.Status >= 500 {
						t.Errorf("%s: status %d, want it admitted (%s and above); body %s", role, r.Status, rt.min, r.Body)
					}
				}
			})
		}
	})
}

// TestEveryStaffRouteIsInTheRoleTable fails when api.go gains a staff route
// that the table above does not check.
func TestEveryStaffRouteIsInTheRoleTable(t *testing.T) {
	t.Parallel()
	storeKinds := 0
	each(t, func(t *testing.T, e *env) {
		storeKinds++
		if storeKinds > 1 {
			return // the routes do not depend on the database
		}
		known := map[string]bool{}
		for _, rt := range staffRoutes {
			known[rt.method+" "+rt.pattern] = true
		}
		for _, r := range e.app.GetRoutes(true) {
			if r.Method == "HEAD" || !strings.HasPrefix(r.Path, "/api/v1/admin") {
				continue
			}
			if !known[r.Method+" "+r.Path] {
				t.Errorf("%s %s is not in staffRoutes: add it with its least role", r.Method, r.Path)
			}
		}
	})
}

func TestRoleChangeTakesEffectAtOnce(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		admin := e.token(store.RoleAdmin)
		editor := e.token(store.RoleEditor)
		editorID := e.users[store.RoleEditor].ID
		e.get("/api/v1/admin/campaigns", editor).wantStatus(t, 200)
		e.get("/api/v1/admin/users", editor).wantError(t, 403, "forbidden")

		setRole := func(id, role string) {
			t.Helper()
			u := e.send("PATCH", "/api/v1/admin/users/"+id, admin, map[string]any{"role": role}).wantStatus(t, 200).JSON(t)
			if u["role"] != role || u["id"] != id {
				t.Fatalf("PATCH answered %v", u)
			}
		}

		// The token was issued to an editor; the database now says viewer.
		setRole(editorID, "viewer")
		e.get("/api/v1/admin/campaigns", editor).wantError(t, 403, "forbidden")
		if me := e.get("/api/v1/auth/me", editor).wantStatus(t, 200).JSON(t); me["role"] != "viewer" {
			t.Errorf("/auth/me role = %v, want viewer", me["role"])
		}

		// And up: the same token now has every power of an admin.
		setRole(editorID, "admin")
		e.get("/api/v1/admin/users", editor).wantStatus(t, 200)
		e.get("/api/v1/admin/audit", editor).wantStatus(t, 200)
	})
}

func TestLastAdminCannotBeDemoted(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		admin := e.token(store.RoleAdmin)
		adminID := e.users[store.RoleAdmin].ID
		audits := e.count("audit_log")

		for _, change := range []map[string]any{{"role": "editor"}, {"disabled": true}, {"role": "viewer", "disabled": true}} {
			e.send("PATCH", "/api/v1/admin/users/"+adminID, admin, change).wantReason(t, 409, "conflict", "last_admin")
		}
		if n := e.count("audit_log"); n != audits {
			t.Errorf("refused changes wrote %d audit records", n-audits)
		}
		me := e.get("/api/v1/auth/me", admin).wantStatus(t, 200).JSON(t)
		if me["role"] != "admin" || me["disabled"] != false {
			t.Fatalf("after the refusals the admin is %v", me)
		}

		// With a second admin, the first may step down.
		e.send("PATCH", "/api/v1/admin/users/"+e.users[store.RoleEditor].ID, admin, map[string]any{"role": "admin"}).wantStatus(t, 200)
		e.send("PATCH", "/api/v1/admin/users/"+adminID, admin, map[string]any{"role": "editor"}).wantStatus(t, 200)
		e.get("/api/v1/admin/users", admin).wantError(t, 403, "forbidden")
	})
}

func TestRoleChangesAreAudited(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		admin := e.token(store.RoleAdmin)
		target := e.users[store.RoleModerator].ID
		e.send("PATCH", "/api/v1/admin/users/"+target, admin, map[string]any{"role": "editor"}).wantStatus(t, 200)
		e.send("PATCH", "/api/v1/admin/users/"+target, admin, map[string]any{"role": "viewer"}).wantStatus(t, 200)
		created := e.send("POST", "/api/v1/admin/users", admin, map[string]any{"email": "new@example.org", "password": testPassword, "role": "moderator"}).wantStatus(t, 201).JSON(t)

		items := e.get("/api/v1/admin/audit", admin).wantStatus(t, 200).JSON(t)["items"].([]any)
		var got []string
		for _, it := range items {
			a := it.(map[string]any)
			if a["actor_email"] != "admin@example.org" {
				continue
			}
			if a["actor_id"] != e.users[store.RoleAdmin].ID {
				t.Errorf("audit record %v has the wrong actor id", a)
			}
			got = append(got, fmt.Sprintf("%s %s %s", a["action"], a["target"], a["detail"]))
		}
		// Newest first.
		want := []string{
			"user.create " + created["id"].(string) + " role=moderator",
			"user.update " + target + " role=viewer",
			"user.update " + target + " role=editor",
		}
		if !slices.Equal(got, want) {
			t.Errorf("audit by the admin:\n got %q\nwant %q", got, want)
		}
		for _, it := range items {
			if strings.Contains(fmt.Sprint(it), testPassword) {
				t.Errorf("an audit record carries the password: %v", it)
			}
		}
	})
}
