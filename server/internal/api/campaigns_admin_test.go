package api_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/store"
)

// newCampaign is a complete, valid campaign body; tests change a copy.
func newCampaign() map[string]any {
	return map[string]any{
		"slug":           "free-the-journalists",
		"title":          "Free the journalists",
		"summary":        "Forty journalists are behind bars.",
		"body":           "## Why\n\nThey reported **the truth**.",
		"language":       "en",
		"goal":           5000,
		"status":         "open",
		"opens_at":       "2026-01-10T09:00:00Z",
		"closes_at":      "2026-12-31T18:00:00Z",
		"retention_days": 30,
		"calls": []any{
			map[string]any{"audiences": []any{"belarus"}, "text": "Release every journalist."},
			map[string]any{"audiences": []any{"eu", "us"}, "text": "Make their release a condition of any talks."},
		},
		"translations": map[string]any{
			"be": map[string]any{"title": "Вызваліце журналістаў", "summary": "Сорак журналістаў за кратамі.",
				"body": "## Чаму", "calls": []any{"Вызваліць усіх журналістаў.", "Зрабіць іх вызваленне ўмовай."}},
		},
	}
}

// publicFields are the keys of GET /api/v1/campaigns/{slug}.
var publicFields = []string{"slug", "title", "summary", "body_html", "language", "status", "goal",
	"signature_count", "endorsement_count", "opens_at", "closes_at", "calls", "translations"}

func TestCreateCampaignAnswersAsThePublicSeesItWithAdminFields(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		editor := e.token(store.RoleEditor)
		created := e.send("POST", "/api/v1/admin/campaigns", editor, newCampaign()).wantStatus(t, 201).JSON(t)

		public := e.get("/api/v1/campaigns/free-the-journalists", "").wantStatus(t, 200).JSON(t)
		for _, k := range publicFields {
			if _, ok := public[k]; !ok {
				t.Errorf("public GET lacks %q", k)
			}
			if k == "translations" {
				continue // staff also see the translations' Markdown
			}
			if !reflect.DeepEqual(created[k], public[k]) {
				t.Errorf("%s: created %v, public %v", k, created[k], public[k])
			}
		}
		for _, k := range []string{"body", "id", "retention_days", "closed_at", "created_at", "updated_at"} {
			if _, ok := public[k]; ok {
				t.Errorf("public GET shows the staff field %q", k)
			}
		}

		if created["id"] == "" || created["body"] != "## Why\n\nThey reported **the truth**." || created["retention_days"] != float64(30) || created["closed_at"] != nil {
			t.Errorf("admin fields: id %v, body %q, retention_days %v, closed_at %v", created["id"], created["body"], created["retention_days"], created["closed_at"])
		}
		if created["goal"] != float64(5000) || created["status"] != "open" || created["signature_count"] != float64(0) ||
			created["opens_at"] != "2026-01-10T09:00:00Z" || created["closes_at"] != "2026-12-31T18:00:00Z" {
			t.Errorf("created = %v", created)
		}
		if html, _ := created["body_html"].(string); !strings.Contains(html, "<strong>the truth</strong>") {
			t.Errorf("body_html = %q", html)
		}
		calls := created["calls"].([]any)
		if len(calls) != 2 {
			t.Fatalf("calls = %v", calls)
		}
		second := calls[1].(map[string]any)
		if id, _ := second["id"].(string); id == "" || second["text"] != "Make their release a condition of any talks." ||
			!reflect.DeepEqual(second["audiences"], []any{"eu", "us"}) {
			t.Errorf("second call = %v", second)
		}
		be := created["translations"].(map[string]any)["be"].(map[string]any)
		if be["title"] != "Вызваліце журналістаў" || be["body"] != "## Чаму" || len(be["calls"].([]any)) != 2 {
			t.Errorf("be translation = %v", be)
		}
		pbe := public["translations"].(map[string]any)["be"].(map[string]any)
		if _, ok := pbe["body"]; ok || pbe["body_html"] != be["body_html"] || pbe["title"] != be["title"] {
			t.Errorf("public be translation = %v", pbe)
		}

		got := e.get("/api/v1/admin/campaigns/free-the-journalists", editor).wantStatus(t, 200).JSON(t)
		if !reflect.DeepEqual(got, created) {
			t.Errorf("admin GET differs from the 201 answer:\n%v\n%v", got, created)
		}

		list := e.get("/api/v1/admin/campaigns", editor).wantStatus(t, 200).JSON(t)["items"].([]any)
		slugs := map[any]bool{}
		for _, it := range list {
			slugs[it.(map[string]any)["slug"]] = true
		}
		if len(list) != 2 || !slugs["free-the-journalists"] || !slugs[seededSlug] {
			t.Errorf("admin list slugs = %v", slugs)
		}
	})
}

func TestPatchCampaign(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		editor := e.token(store.RoleEditor)
		path := "/api/v1/admin/campaigns/free-the-journalists"
		created := e.send("POST", "/api/v1/admin/campaigns", editor, newCampaign()).wantStatus(t, 201).JSON(t)
		oldCalls := created["calls"].([]any)
		firstID := oldCalls[0].(map[string]any)["id"].(string)
		secondID := oldCalls[1].(map[string]any)["id"].(string)

		// Only the title changes; everything else stays.
		p := e.send("PATCH", path, editor, map[string]any{"title": "  Free every journalist "}).wantStatus(t, 200).JSON(t)
		if p["title"] != "Free every journalist" {
			t.Errorf("title = %q", p["title"])
		}
		for _, k := range []string{"summary", "body", "goal", "status", "opens_at", "closes_at", "calls", "translations", "id", "created_at"} {
			if !reflect.DeepEqual(p[k], created[k]) {
				t.Errorf("PATCH of the title changed %s: %v → %v", k, created[k], p[k])
			}
		}

		// Calls: the first is kept (by id) and edited, the second dropped, a
		// new one added; the translation follows with two calls.
		p = e.send("PATCH", path, editor, map[string]any{
			"calls": []any{
				map[string]any{"id": firstID, "audiences": []any{"belarus", "intl"}, "text": "Release every journalist now."},
				map[string]any{"audiences": []any{"intl"}, "text": "Send observers to the trials."},
			},
			"translations": map[string]any{"be": map[string]any{"title": "Вызваліце", "calls": []any{"Адзін.", "Два."}}},
		}).wantStatus(t, 200).JSON(t)
		calls := p["calls"].([]any)
		c0, c1 := calls[0].(map[string]any), calls[1].(map[string]any)
		if len(calls) != 2 || c0["id"] != firstID || c0["text"] != "Release every journalist now." ||
			!reflect.DeepEqual(c0["audiences"], []any{"belarus", "intl"}) {
			t.Errorf("calls after PATCH = %v", calls)
		}
		if c1["id"] == secondID || c1["id"] == firstID || c1["id"] == "" || c1["text"] != "Send observers to the trials." {
			t.Errorf("new call = %v (old ids %s, %s)", c1, firstID, secondID)
		}
		if n := e.count("calls"); n != 8+2 {
			t.Errorf("%d call rows, want the seed's 8 and these 2", n)
		}

		// A call added without its translation would leave the translated
		// calls out of step: refused.
		three := append(calls, map[string]any{"audiences": []any{"us"}, "text": "Sanction the judges."})
		fields := e.send("PATCH", path, editor, map[string]any{"calls": three}).wantError(t, 422, "validation_failed")
		if fields["translations"] == nil {
			t.Errorf("fields = %v, want translations", fields)
		}
		p = e.send("PATCH", path, editor, map[string]any{"calls": three,
			"translations": map[string]any{"be": map[string]any{"title": "Вызваліце", "calls": []any{"1", "2", "3"}}}}).wantStatus(t, 200).JSON(t)
		if len(p["calls"].([]any)) != 3 || len(p["translations"].(map[string]any)["be"].(map[string]any)["calls"].([]any)) != 3 {
			t.Errorf("after adding a translated call: %v", p)
		}
		// A translation without calls is allowed: the calls stay in English.
		e.send("PATCH", path, editor, map[string]any{"translations": map[string]any{"ru": map[string]any{"title": "Освободите"}}}).wantStatus(t, 200)
		if n := e.count("campaign_translations"); n != 1 {
			t.Errorf("%d translation rows, want translations replaced by the one sent", n)
		}

		// Closing stamps closed_at once; reopening clears it.
		before := time.Now().Add(-time.Second)
		p = e.send("PATCH", path, editor, map[string]any{"status": "closed"}).wantStatus(t, 200).JSON(t)
		closedAt, err := time.Parse(time.RFC3339, asString(p["closed_at"]))
		if err != nil || closedAt.Before(before) || closedAt.After(time.Now().Add(time.Second)) {
			t.Fatalf("closed_at = %v, want now", p["closed_at"])
		}
		p = e.send("PATCH", path, editor, map[string]any{"status": "closed", "summary": "Closed."}).wantStatus(t, 200).JSON(t)
		if again, err := time.Parse(time.RFC3339, asString(p["closed_at"])); err != nil || !again.Equal(closedAt) {
			t.Errorf("closing a closed campaign moved closed_at from %v to %v", closedAt, again)
		}
		p = e.send("PATCH", path, editor, map[string]any{"status": "open"}).wantStatus(t, 200).JSON(t)
		if p["closed_at"] != nil {
			t.Errorf("reopened campaign keeps closed_at %v", p["closed_at"])
		}

		// A new slug moves the campaign.
		e.send("PATCH", path, editor, map[string]any{"slug": "free-every-journalist"}).wantStatus(t, 200)
		e.get(path, editor).wantError(t, 404, "not_found")
		e.get("/api/v1/admin/campaigns/free-every-journalist", editor).wantStatus(t, 200)
	})
}

func TestDeleteCampaign(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		editor := e.token(store.RoleEditor)
		e.send("POST", "/api/v1/admin/campaigns", editor, newCampaign()).wantStatus(t, 201)
		e.do(req{method: "DELETE", path: "/api/v1/admin/campaigns/free-the-journalists", token: editor}).wantStatus(t, 204)

		e.get("/api/v1/admin/campaigns/free-the-journalists", editor).wantError(t, 404, "not_found")
		e.get("/api/v1/campaigns/free-the-journalists", "").wantError(t, 404, "not_found")
		e.do(req{method: "DELETE", path: "/api/v1/admin/campaigns/free-the-journalists", token: editor}).wantError(t, 404, "not_found")
		e.send("PATCH", "/api/v1/admin/campaigns/free-the-journalists", editor, map[string]any{"title": "x"}).wantError(t, 404, "not_found")
		if calls, trs, camps := e.count("calls"), e.count("campaign_translations"), e.count("campaigns"); calls != 8 || trs != 0 || camps != 1 {
			t.Errorf("after delete: %d calls, %d translations, %d campaigns; want only the seed's", calls, trs, camps)
		}
	})
}

func TestDraftsAreNotPublic(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		editor := e.token(store.RoleEditor)
		draft := newCampaign()
		delete(draft, "status") // a new campaign is a draft unless told otherwise
		created := e.send("POST", "/api/v1/admin/campaigns", editor, draft).wantStatus(t, 201).JSON(t)
		if created["status"] != "draft" {
			t.Fatalf("status = %v, want draft", created["status"])
		}

		e.get("/api/v1/campaigns/free-the-journalists", "").wantError(t, 404, "not_found")
		if slugs := publicSlugs(t, e); len(slugs) != 1 || slugs[0] != seededSlug {
			t.Errorf("public list = %v, want only the seeded campaign", slugs)
		}
		e.get("/api/v1/admin/campaigns/free-the-journalists", editor).wantStatus(t, 200)

		e.send("PATCH", "/api/v1/admin/campaigns/free-the-journalists", editor, map[string]any{"status": "open"}).wantStatus(t, 200)
		e.get("/api/v1/campaigns/free-the-journalists", "").wantStatus(t, 200)
		if slugs := publicSlugs(t, e); len(slugs) != 2 {
			t.Errorf("public list = %v, want the opened campaign in it", slugs)
		}

		// Back to draft: gone from the public again.
		e.send("PATCH", "/api/v1/admin/campaigns/free-the-journalists", editor, map[string]any{"status": "draft"}).wantStatus(t, 200)
		e.get("/api/v1/campaigns/free-the-journalists", "").wantError(t, 404, "not_found")
	})
}

func TestCampaignMarkdownIsSanitised(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		editor := e.token(store.RoleEditor)
		c := newCampaign()
		evil := "Sign **now**.\n\n<script>alert('body')</script>\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(2))\n\n<iframe src=\"https://evil.example\"></iframe>"
		c["body"] = evil
		c["translations"] = map[string]any{"be": map[string]any{"title": "Т", "body": evil}}
		e.send("POST", "/api/v1/admin/campaigns", editor, c).wantStatus(t, 201)

		pub := e.get("/api/v1/campaigns/free-the-journalists", "").wantStatus(t, 200).JSON(t)
		htmls := map[string]string{
			"body_html":                 asString(pub["body_html"]),
			"translations.be.body_html": asString(pub["translations"].(map[string]any)["be"].(map[string]any)["body_html"]),
		}
		for name, html := range htmls {
			if !strings.Contains(html, "<strong>now</strong>") {
				t.Errorf("%s lost the Markdown: %q", name, html)
			}
			for _, bad := range []string{"<script", "onerror", "javascript:", "<iframe"} {
				if strings.Contains(strings.ToLower(html), bad) {
					t.Errorf("%s contains %q: %q", name, bad, html)
				}
			}
		}
	})
}

func TestCampaignChangesAreAudited(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		editor := e.token(store.RoleEditor)
		e.send("POST", "/api/v1/admin/campaigns", editor, newCampaign()).wantStatus(t, 201)
		e.send("PATCH", "/api/v1/admin/campaigns/free-the-journalists", editor, map[string]any{"goal": 10}).wantStatus(t, 200)
		e.do(req{method: "DELETE", path: "/api/v1/admin/campaigns/free-the-journalists", token: editor}).wantStatus(t, 204)

		items := e.get("/api/v1/admin/audit", e.token(store.RoleAdmin)).wantStatus(t, 200).JSON(t)["items"].([]any)
		var got []string
		for _, it := range items {
			a := it.(map[string]any)
			if a["target"] == "free-the-journalists" {
				if a["actor_email"] != "editor@example.org" || a["actor_id"] != e.users[store.RoleEditor].ID || a["at"] == "" {
					t.Errorf("audit record %v: wrong actor", a)
				}
				got = append(got, asString(a["action"])+" "+asString(a["target"]))
			}
		}
		want := []string{"campaign.delete free-the-journalists", "campaign.update free-the-journalists", "campaign.create free-the-journalists"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("campaign audit records = %q, want %q", got, want)
		}
	})
}

func publicSlugs(t *testing.T, e *env) []string {
	t.Helper()
	var list struct {
		Items []struct {
			Slug string `json:"slug"`
		} `json:"items"`
	}
	if err := json.Unmarshal(e.get("/api/v1/campaigns", "").wantStatus(t, 200).Body, &list); err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, it := range list.Items {
		slugs = append(slugs, it.Slug)
	}
	return slugs
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}
