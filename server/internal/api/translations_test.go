package api_test

import (
	"strings"
	"testing"
)

// A translation with only a title and summary is kept as a draft: staff
// see what it lacks, readers never get it (no English body under lang=be).
func TestIncompleteTranslationIsADraftNotServed(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		editor := e.token("editor")
		admin := e.get("/api/v1/admin/campaigns/release-all-political-prisoners", editor).wantStatus(t, 200).JSON(t)
		trs := admin["translations"].(map[string]any)
		if be := trs["be"].(map[string]any); be["missing"] != nil {
			t.Fatalf("the demo's Belarusian translation is incomplete: %v", be["missing"])
		}
		public := e.get(demo, "").wantStatus(t, 200).JSON(t)["translations"].(map[string]any)
		if _, ok := public["be"]; !ok {
			t.Fatal("the complete Belarusian translation is not served")
		}
		if !strings.Contains(public["ru"].(map[string]any)["body_html"].(string), "политических заключённых") {
			t.Fatal("the Russian body is not Russian")
		}
		ru := trs["ru"].(map[string]any)
		e.send("PATCH", "/api/v1/admin/campaigns/release-all-political-prisoners", editor, map[string]any{
			"translations": map[string]any{
				"be": map[string]any{"title": "Назва", "summary": "Змест"},
				"ru": map[string]any{"title": ru["title"], "summary": ru["summary"], "body": ru["body"], "calls": ru["calls"]},
			},
		}).wantStatus(t, 200)
		admin = e.get("/api/v1/admin/campaigns/release-all-political-prisoners", editor).wantStatus(t, 200).JSON(t)
		missing := admin["translations"].(map[string]any)["be"].(map[string]any)["missing"]
		if got, _ := missing.([]any); len(got) != 2 || got[0] != "body" || got[1] != "calls" {
			t.Fatalf("missing = %v, want [body calls]", missing)
		}
		public = e.get(demo, "").wantStatus(t, 200).JSON(t)["translations"].(map[string]any)
		if _, ok := public["be"]; ok {
			t.Fatal("an incomplete translation is served")
		}
		if _, ok := public["ru"]; !ok {
			t.Fatal("the complete Russian translation is no longer served")
		}
	})
}
