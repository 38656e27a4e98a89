package api_test

import (
	"strings"
	"testing"

	"github.com/bnp/undersigned/server/internal/store"
)

const previewPath = "/api/v1/admin/campaigns/preview"

func TestCampaignPreviewRendersAsSavingWould(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		editor := e.token(store.RoleEditor)
		md := "We ask for **the release** of every journalist.\n\n<script>alert('x')</script>\n\n[click](javascript:alert(1))\n\n![pixel](https://tracker.example/p.gif)\n\n[BNP](https://example.org)"
		campaigns, audits := e.count("campaigns"), e.count("audit_log")

		html := asString(e.send("POST", previewPath, editor, map[string]any{"body": md}).wantStatus(t, 200).JSON(t)["html"])
		if !strings.Contains(html, "<strong>the release</strong>") {
			t.Errorf("the Markdown is not rendered: %q", html)
		}
		for _, bad := range []string{"<script", "javascript:", "<img", "tracker.example"} {
			if strings.Contains(strings.ToLower(html), bad) {
				t.Errorf("the preview contains %q: %q", bad, html)
			}
		}
		if n, m := e.count("campaigns"), e.count("audit_log"); n != campaigns || m != audits {
			t.Errorf("a preview wrote rows: campaigns %d → %d, audit %d → %d", campaigns, n, audits, m)
		}

		// The very HTML the public page gets once the same body is saved.
		e.send("PATCH", "/api/v1/admin/campaigns/"+seededSlug, editor, map[string]any{"body": md}).wantStatus(t, 200)
		saved := asString(e.get("/api/v1/campaigns/"+seededSlug, "").wantStatus(t, 200).JSON(t)["body_html"])
		if saved != html {
			t.Errorf("preview and saved body differ:\npreview %q\n  saved %q", html, saved)
		}

		// An empty body previews as nothing.
		if got := e.send("POST", previewPath, editor, map[string]any{"body": "  \n"}).wantStatus(t, 200).JSON(t)["html"]; got != "" {
			t.Errorf("an empty body previews as %q", got)
		}
	})
}

func TestCampaignPreviewRefusesBadInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		body  any
		field string
	}{
		{"no body field", map[string]any{}, "body"},
		{"body not a string", map[string]any{"body": 42}, "body"},
		{"body too long", map[string]any{"body": strings.Repeat("a", 50001)}, "body"},
		{"control characters", map[string]any{"body": "a\x07b"}, "body"},
		{"unknown field", map[string]any{"body": "x", "title": "y"}, "title"},
	}
	each(t, func(t *testing.T, e *env) {
		editor := e.token(store.RoleEditor)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				fields := e.send("POST", previewPath, editor, tc.body).wantError(t, 422, "validation_failed")
				if fields[tc.field] == nil {
					t.Errorf("fields %v do not name %q", fields, tc.field)
				}
			})
		}
		e.do(req{method: "POST", path: previewPath, token: editor, raw: `{"body": "unfinished`, contentType: "application/json"}).wantError(t, 400, "bad_request")
		e.do(req{method: "POST", path: previewPath, token: editor, raw: "**x**", contentType: "text/markdown"}).wantError(t, 415, "unsupported_media_type")
		e.do(req{method: "POST", path: previewPath, token: editor, raw: `{"body":"` + strings.Repeat("a", 64<<10) + `"}`, contentType: "application/json"}).wantError(t, 413, "too_large")
	})
}

func TestCampaignPreviewIsForEditors(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		body := map[string]any{"body": "**Free** them"}
		e.send("POST", previewPath, "", body).wantError(t, 401, "unauthorized")
		for _, role := range []store.Role{store.RoleViewer, store.RoleModerator} {
			e.send("POST", previewPath, e.token(role), body).wantError(t, 403, "forbidden")
		}
		for _, role := range []store.Role{store.RoleEditor, store.RoleAdmin} {
			html := asString(e.send("POST", previewPath, e.token(role), body).wantStatus(t, 200).JSON(t)["html"])
			if !strings.Contains(html, "<strong>Free</strong>") {
				t.Errorf("%s: preview %q", role, html)
			}
		}
	})
}
