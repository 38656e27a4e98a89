package api_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/bnp/undersigned/server/internal/store"
)

// campaignTables are the tables a refused campaign write must leave alone.
var campaignTables = []string{"campaigns", "calls", "campaign_translations", "audit_log"}

func (e *env) rowCounts() map[string]int64 {
	e.t.Helper()
	counts := map[string]int64{}
	for _, table := range campaignTables {
		counts[table] = e.count(table)
	}
	return counts
}

// campaignCase is one bad campaign body and the field the 422 must name.
type campaignCase struct {
	name   string
	change func(c map[string]any, e *env)
	field  string
}

func set(key string, v any) func(map[string]any, *env) {
	return func(c map[string]any, _ *env) { c[key] = v }
}

func without(key string) func(map[string]any, *env) {
	return func(c map[string]any, _ *env) { delete(c, key) }
}

func withCall(i int, key string, v any) func(map[string]any, *env) {
	return func(c map[string]any, _ *env) { c["calls"].([]any)[i].(map[string]any)[key] = v }
}

func withTranslation(key string, v any) func(map[string]any, *env) {
	return func(c map[string]any, _ *env) {
		c["translations"].(map[string]any)["be"].(map[string]any)[key] = v
	}
}

// seededCallID is a call of the seeded campaign, foreign to any other.
func seededCallID(e *env) string {
	c := e.get("/api/v1/campaigns/"+seededSlug, "").wantStatus(e.t, 200).JSON(e.t)
	return c["calls"].([]any)[0].(map[string]any)["id"].(string)
}

var createCases = []campaignCase{
	{"slug with a space", set("slug", "free them"), "slug"},
	{"slug in capitals", set("slug", "Free-Them"), "slug"},
	{"slug too short", set("slug", "ab"), "slug"},
	{"slug too long", set("slug", strings.Repeat("a", 81)), "slug"},
	{"slug with a double hyphen", set("slug", "free--them"), "slug"},
	{"slug reserved by the site", set("slug", "new"), "slug"},
	{"slug with a leading hyphen", set("slug", "-free"), "slug"},
	{"slug with a trailing hyphen", set("slug", "free-"), "slug"},
	{"slug with a slash", set("slug", "free/them"), "slug"},
	{"slug not in Latin letters", set("slug", "свабода"), "slug"},
	{"slug taken", set("slug", seededSlug), "slug"},
	{"slug missing", without("slug"), "slug"},
	{"title missing", without("title"), "title"},
	{"title blank", set("title", "   "), "title"},
	{"title too long", set("title", strings.Repeat("т", 301)), "title"},
	{"summary too long", set("summary", strings.Repeat("s", 1001)), "summary"},
	{"language a word", set("language", "english"), "language"},
	{"language in capitals", set("language", "EN"), "language"},
	{"goal negative", set("goal", -1), "goal"},
	{"goal too large", set("goal", 1_000_000_001), "goal"},
	{"goal not a number", set("goal", "many"), "goal"},
	{"status unknown", set("status", "published"), "status"},
	{"opens_at in words", set("opens_at", "next monday"), "opens_at"},
	{"opens_at without a time", set("opens_at", "2026-01-10"), "opens_at"},
	{"closes_at before opens_at", set("closes_at", "2026-01-09T09:00:00Z"), "closes_at"},
	{"closes_at equal to opens_at", set("closes_at", "2026-01-10T09:00:00Z"), "closes_at"},
	{"retention_days zero", set("retention_days", 0), "retention_days"},
	{"retention_days over ten years", set("retention_days", 3651), "retention_days"},
	{"call text empty", withCall(0, "text", ""), "calls[0].text"},
	{"call text blank", withCall(1, "text", "  \n "), "calls[1].text"},
	{"call text too long", withCall(0, "text", strings.Repeat("x", 2001)), "calls[0].text"},
	{"call without audiences", withCall(0, "audiences", []any{}), "calls[0].audiences"},
	{"call to an unknown audience", withCall(0, "audiences", []any{"mars"}), "calls[0].audiences"},
	{"call to an audience twice", withCall(1, "audiences", []any{"eu", "eu"}), "calls[1].audiences"},
	{"too many calls", func(c map[string]any, _ *env) {
		calls := make([]any, 51)
		for i := range calls {
			calls[i] = map[string]any{"audiences": []any{"eu"}, "text": "A call."}
		}
		c["calls"], c["translations"] = calls, nil
	}, "calls"},
	{"call id of another campaign", func(c map[string]any, e *env) {
		c["calls"].([]any)[0].(map[string]any)["id"] = seededCallID(e)
	}, "calls"},
	{"translation in the campaign's own language", set("translations", map[string]any{"en": map[string]any{"title": "Again"}}), "translations.en"},
	{"translation keyed by a word", set("translations", map[string]any{"Belarusian": map[string]any{"title": "Т"}}), "translations.Belarusian"},
	{"translation with too few calls", withTranslation("calls", []any{"Адзін."}), "translations.be.calls"},
	{"translation with a blank call", withTranslation("calls", []any{"Адзін.", " "}), "translations.be.calls[1]"},
	{"translation without a title", withTranslation("title", ""), "translations.be.title"},
	{"title with a control character", set("title", "Free\x07them"), "title"},
	{"body with a control character", set("body", "Free\x1bthem"), "body"},
	{"call text with a control character", withCall(0, "text", "Free\x08them"), "calls[0].text"},
	{"unknown field", set("colour", "red"), "colour"},
	{"unknown field in a call", withCall(0, "priority", 1), "calls[0].priority"},
	{"unknown field in a translation", withTranslation("colour", "red"), "translations.be.colour"},
	// Found by fuzzing: once in UTC these leave years 1–9999, and stored they
	// broke every list of campaigns.
	{"closes_at past the year 9999 in UTC", set("closes_at", "9999-12-31T23:59:59-23:59"), "closes_at"},
	{"opens_at before the year 1 in UTC", set("opens_at", "0000-01-01T00:00:00+01:00"), "opens_at"},
	{"translated call with control characters", withTranslation("calls", []any{"\u001b[2J\u0007", "Two."}), "translations.be.calls[0]"},
}

func TestCreateCampaignRefusesBadInput(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		editor := e.token(store.RoleEditor)
		before := e.rowCounts()
		for _, tc := range createCases {
			t.Run(tc.name, func(t *testing.T) {
				body := newCampaign()
				tc.change(body, e)
				fields := e.send("POST", "/api/v1/admin/campaigns", editor, body).wantError(t, 422, "validation_failed")
				if fields[tc.field] == nil {
					t.Errorf("fields = %v, want %q named", fields, tc.field)
				}
				if after := e.rowCounts(); !reflect.DeepEqual(after, before) {
					t.Errorf("rows before %v, after %v: a refused create wrote", before, after)
				}
			})
		}
		// The same body unchanged is accepted: each case fails for its change.
		e.send("POST", "/api/v1/admin/campaigns", editor, newCampaign()).wantStatus(t, 201)
	})
}

var patchCases = []campaignCase{
	{"slug taken", set("slug", seededSlug), "slug"},
	{"slug malformed", set("slug", "Free Them"), "slug"},
	{"title blank", set("title", ""), "title"},
	{"status unknown", set("status", "archived"), "status"},
	{"goal negative", set("goal", -5), "goal"},
	{"language malformed", set("language", "Belarusian"), "language"},
	{"closes_at before the stored opens_at", set("closes_at", "2025-12-31T00:00:00Z"), "closes_at"},
	{"opens_at after the stored closes_at", set("opens_at", "2027-01-01T00:00:00Z"), "closes_at"},
	{"opens_at malformed", set("opens_at", "soon"), "opens_at"},
	{"retention_days out of range", set("retention_days", 0), "retention_days"},
	{"call id of another campaign", func(c map[string]any, e *env) {
		c["calls"] = []any{map[string]any{"id": seededCallID(e), "audiences": []any{"eu"}, "text": "Stolen."},
			map[string]any{"audiences": []any{"eu"}, "text": "New."}}
	}, "calls"},
	{"two calls with one id", func(c map[string]any, e *env) {
		body := e.get("/api/v1/admin/campaigns/free-the-journalists", e.token(store.RoleEditor)).wantStatus(e.t, 200).JSON(e.t)
		id := body["calls"].([]any)[0].(map[string]any)["id"]
		c["calls"] = []any{map[string]any{"id": id, "audiences": []any{"eu"}, "text": "One."},
			map[string]any{"id": id, "audiences": []any{"eu"}, "text": "Same id."}}
	}, "calls[1].id"},
	{"calls out of step with the translation", set("calls", []any{map[string]any{"audiences": []any{"eu"}, "text": "Only one."}}), "translations"},
	{"translation calls count mismatch", set("translations", map[string]any{"be": map[string]any{"title": "Т", "calls": []any{"1", "2", "3"}}}), "translations.be.calls"},
	{"translation in the campaign's own language", set("translations", map[string]any{"en": map[string]any{"title": "Again"}}), "translations.en"},
	{"language switched to a translated one", set("language", "be"), "language"},
	{"unknown field", set("signature_count", 1000000), "signature_count"},
	{"closes_at past the year 9999 in UTC", set("closes_at", "9999-12-31T23:59:59-23:59"), "closes_at"},
}

func TestPatchCampaignRefusesBadInput(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		editor := e.token(store.RoleEditor)
		path := "/api/v1/admin/campaigns/free-the-journalists"
		e.send("POST", "/api/v1/admin/campaigns", editor, newCampaign()).wantStatus(t, 201)
		stored := e.get(path, editor).wantStatus(t, 200).Body
		before := e.rowCounts()
		for _, tc := range patchCases {
			t.Run(tc.name, func(t *testing.T) {
				body := map[string]any{}
				tc.change(body, e)
				fields := e.send("PATCH", path, editor, body).wantError(t, 422, "validation_failed")
				if fields[tc.field] == nil {
					t.Errorf("fields = %v, want %q named", fields, tc.field)
				}
				if after := e.rowCounts(); !reflect.DeepEqual(after, before) {
					t.Errorf("rows before %v, after %v: a refused update wrote", before, after)
				}
				if now := e.get(path, editor).wantStatus(t, 200).Body; string(now) != string(stored) {
					t.Errorf("a refused update changed the campaign:\n%s\n%s", stored, now)
				}
			})
		}
		// Switching the language is fine when the translations change with it.
		p := e.send("PATCH", path, editor, map[string]any{"language": "be",
			"translations": map[string]any{"en": map[string]any{"title": "Free the journalists"}}}).wantStatus(t, 200).JSON(t)
		if _, ok := p["translations"].(map[string]any)["en"]; p["language"] != "be" || !ok {
			t.Errorf("after switching the language: %v, translations %v", p["language"], p["translations"])
		}
	})
}
