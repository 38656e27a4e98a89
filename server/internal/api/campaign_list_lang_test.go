package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/api"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// demoItem is the demo campaign in the public list at path.
func demoItem(t *testing.T, e *env, path string) map[string]any {
	t.Helper()
	for _, it := range e.get(path, "").wantStatus(t, 200).JSON(t)["items"].([]any) {
		if item := it.(map[string]any); item["slug"] == demoSlug {
			return item
		}
	}
	t.Fatalf("%s: the demo campaign is not listed", path)
	return nil
}

// wantIn checks that an item reads in lang, its title starting with title.
func wantIn(t *testing.T, item map[string]any, lang, title string) {
	t.Helper()
	if item["language"] != lang || !strings.HasPrefix(item["title"].(string), title) {
		t.Fatalf("item in %v titled %q, want %s %q…", item["language"], item["title"], lang, title)
	}
}

const (
	demoBe = "Заява Беларускай нацыянальнай платформы"
	demoRu = "Заявление Белорусской национальной платформы"
	demoEn = "Statement of the Belarusian National Platform"
)

// The list reads in the reader's language where a campaign has a complete
// translation in it, as the campaign itself does, and says which language
// each item is in.
func TestCampaignListInReadersLanguage(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		single := e.get(demo, "").wantStatus(t, 200).JSON(t)["translations"].(map[string]any)
		be := demoItem(t, e, "/api/v1/campaigns?lang=be")
		wantIn(t, be, "be", demoBe)
		want := single["be"].(map[string]any)
		if be["title"] != want["title"] || be["summary"] != want["summary"] {
			t.Fatalf("the list's Belarusian item differs from the campaign's translation: %v", be)
		}
		wantIn(t, demoItem(t, e, "/api/v1/campaigns?lang=ru"), "ru", demoRu)
		if !strings.Contains(demoItem(t, e, "/api/v1/campaigns?lang=ru")["summary"].(string), "политических заключённых") {
			t.Fatal("the Russian summary is not Russian")
		}
		wantIn(t, demoItem(t, e, "/api/v1/campaigns?lang=en"), "en", demoEn)
		wantIn(t, demoItem(t, e, "/api/v1/campaigns"), "en", demoEn)
		// A language no campaign is translated into: the list as written.
		wantIn(t, demoItem(t, e, "/api/v1/campaigns?lang=uk"), "en", demoEn)
		wantIn(t, demoItem(t, e, "/api/v1/campaigns?lang=be-BY"), "en", demoEn)
		for _, bad := range []string{"Belarusian", "be_BY", "%3Cb%3E", "b"} {
			r := e.get("/api/v1/campaigns?lang="+bad, "")
			if fields := r.wantError(t, 422, "validation_failed"); fields["lang"] == nil {
				t.Fatalf("lang=%s: fields = %v", bad, fields)
			}
			codes, _ := r.JSON(t)["error"].(map[string]any)["codes"].(map[string]any)
			if c, _ := codes["lang"].(map[string]any); c == nil || c["code"] != "invalid_language" {
				t.Fatalf("lang=%s: codes = %v", bad, codes)
			}
		}
	})
}

// A translation that lacks a part is not served in the list either.
func TestCampaignListIncompleteTranslationNotServed(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		editor := e.token("editor")
		e.send("PATCH", "/api/v1/admin/campaigns/"+demoSlug, editor, map[string]any{
			"translations": map[string]any{"be": map[string]any{"title": "Назва", "summary": "Змест"}},
		}).wantStatus(t, 200)
		wantIn(t, demoItem(t, e, "/api/v1/campaigns?lang=be"), "en", demoEn)
		// The PATCH replaced the translations: Russian is gone too.
		wantIn(t, demoItem(t, e, "/api/v1/campaigns?lang=ru"), "en", demoEn)
	})
}

// The cached list is per language: a warm cache in one language does not
// answer another.
func TestCampaignListCachedPerLanguage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		e := newEnv(t, db, nil)
		deps := testDeps(t, e.cfg, db, e.tokens)
		deps.CacheTTL = time.Hour
		e.app = api.New(deps)
		for range 2 {
			wantIn(t, demoItem(t, e, "/api/v1/campaigns?lang=be"), "be", demoBe)
			wantIn(t, demoItem(t, e, "/api/v1/campaigns?lang=ru"), "ru", demoRu)
			wantIn(t, demoItem(t, e, "/api/v1/campaigns"), "en", demoEn)
			wantIn(t, demoItem(t, e, "/api/v1/campaigns?lang=uk"), "en", demoEn)
		}
	})
}

// The server-rendered home page lists each campaign in the reader's
// language where it has a complete translation, marked with its lang.
func TestHomePageInReadersLanguage(t *testing.T) {
	t.Parallel()
	pagesEach(t, nil, func(t *testing.T, e *env, _ *clock) {
		link := `<a href="/c/` + demoSlug + `">`
		e.page("/?lang=be", nil).wantStatus(t, 200).wantText(t, `<html lang="be">`, `<h2 lang="be">`+link+demoBe)
		e.page("/", map[string]string{"Accept-Language": "ru"}).wantStatus(t, 200).
			wantText(t, `<html lang="ru">`, `<h2 lang="ru">`+link+demoRu, `<p lang="ru">`)
		e.page("/?lang=en", nil).wantStatus(t, 200).wantText(t, `<html lang="en">`, `<h2 lang="en">`+link+demoEn)

		// Made incomplete, the Belarusian translation is served nowhere:
		// neither the list nor the campaign's page is in Belarusian.
		e.send("PATCH", "/api/v1/admin/campaigns/"+demoSlug, e.token("editor"), map[string]any{
			"translations": map[string]any{"be": map[string]any{"title": "Назва", "summary": "Змест", "body": "Тэкст."}},
		}).wantStatus(t, 200)
		home := e.page("/?lang=be", nil).wantStatus(t, 200)
		home.wantText(t, `<h2 lang="en">`+link+demoEn)
		page := e.page(demoPage+"?lang=be", nil).wantStatus(t, 200)
		page.wantText(t, `<html lang="be">`, demoEn)
		for _, r := range []response{home, page} {
			if strings.Contains(string(r.Body), "Назва") {
				t.Fatal("an incomplete translation is served")
			}
		}
	})
}
