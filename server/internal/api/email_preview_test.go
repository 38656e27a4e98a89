package api_test

import (
	"testing"

	"github.com/bnp/undersigned/server/internal/store"
)

// TestPreviewAndTestSendRefuseBadInput: a digest's and an update's preview
// and test send refuse a bad format, language or address alike, with the
// field's code, and a refused test send queues nothing.
func TestPreviewAndTestSendRefuseBadInput(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		editor := e.token(store.RoleEditor)
		digest := "/api/v1/admin/digests/" + e.draftDigest(t, "eu")
		update := updatesPath + "/" + e.send("POST", updatesPath, editor, map[string]any{"subject": "News", "body": "Delivered."}).
			wantStatus(t, 201).JSON(t)["id"].(string)
		for _, base := range []string{digest, update} {
			for query, want := range map[string][2]string{
				"?format=pdf":                   {"format", "one_of"},
				"?language=BE!":                 {"language", "invalid_language"},
				"?format=text&language=english": {"language", "invalid_language"},
			} {
				r := e.get(base+"/preview"+query, editor)
				r.wantError(t, 422, "validation_failed")
				if got := fieldCode(t, r, want[0]); got != want[1] {
					t.Errorf("%s/preview%s: %s code %q, want %q", base, query, want[0], got, want[1])
				}
			}
			for _, tc := range []struct {
				body  map[string]string
				field string
				code  string
			}{
				{map[string]string{"email": "not an address"}, "email", "invalid_email"},
				{map[string]string{"email": "Me <me@example.org>"}, "email", "invalid_email"},
				{map[string]string{"email": "me@example.org", "language": "russian"}, "language", "invalid_language"},
			} {
				r := e.send("POST", base+"/test", editor, tc.body)
				r.wantError(t, 422, "validation_failed")
				if got := fieldCode(t, r, tc.field); got != tc.code {
					t.Errorf("%s/test %v: %s code %q, want %q", base, tc.body, tc.field, got, tc.code)
				}
			}
			e.send("POST", base+"/test", e.token(store.RoleModerator), map[string]string{"email": "me@example.org"}).wantError(t, 403, "forbidden")
		}
		if n, err := e.db.CountWhere(t.Context(), "mail_messages", "1 = 1"); err != nil || n != 0 {
			t.Fatalf("%d messages queued by refused test sends (%v)", n, err)
		}
	})
}

// fieldCode is the code a 422 gives a field.
func fieldCode(t *testing.T, r response, field string) any {
	t.Helper()
	codes, _ := r.JSON(t)["error"].(map[string]any)["codes"].(map[string]any)
	code, _ := codes[field].(map[string]any)
	return code["code"]
}
