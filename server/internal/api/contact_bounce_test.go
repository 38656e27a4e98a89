package api_test

import (
	"strings"
	"testing"

	"github.com/bnp/undersigned/server/internal/smtptest"
)

// TestBouncingContactIsMarkedSkippedAndCleared: a digest refused for good
// (550 5.1.1) marks its contact as bouncing in the console's list; the
// next digest skips the contact; staff clear the mark and it is written
// to again.
func TestBouncingContactIsMarkedSkippedAndCleared(t *testing.T) {
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		emails := e.officials(t, "eu", 3)
		gone := emails[1]
		e.smtp.SetReply(func(rcpt string, _ int) error {
			if rcpt == gone {
				return smtptest.Permanent
			}
			return nil
		})
		editor := e.token("editor")
		first := e.draftDigest(t, "eu")
		e.send("POST", "/api/v1/admin/digests/"+first+"/send", editor, nil).wantStatus(t, 202)
		d := e.waitDigest(t, first)
		if c := d["counts"].(map[string]any); c["sent"] != float64(2) || c["failed"] != float64(1) {
			t.Fatalf("first digest counts = %v", c)
		}
		var bouncing map[string]any
		for _, it := range e.get("/api/v1/admin/contacts", editor).wantStatus(t, 200).JSON(t)["items"].([]any) {
			c := it.(map[string]any)
			if c["email"] == gone {
				bouncing = c
			} else if c["bouncing"] != false {
				t.Errorf("%v marked bouncing", c["email"])
			}
		}
		if bouncing["bouncing"] != true || !strings.Contains(bouncing["bounce_reason"].(string), "550") ||
			strings.Contains(bouncing["bounce_reason"].(string), gone) || bouncing["bounced_at"] == nil {
			t.Fatalf("bounced contact = %v", bouncing)
		}

		second := e.draftDigest(t, "eu")
		if r := e.send("POST", "/api/v1/admin/digests/"+second+"/send", editor, nil).wantStatus(t, 202).JSON(t); r["recipients"] != float64(2) {
			t.Fatalf("second digest recipients = %v, want the bouncing contact skipped", r["recipients"])
		}
		e.waitDigest(t, second)
		if n := len(e.smtp.To(gone)); n != 0 {
			t.Fatalf("the bouncing contact got %d digests", n)
		}

		id := bouncing["id"].(string)
		e.send("DELETE", "/api/v1/admin/contacts/"+id+"/bounce", "", nil).wantError(t, 401, "unauthorized")
		e.send("DELETE", "/api/v1/admin/contacts/"+id+"/bounce", e.token("viewer"), nil).wantError(t, 403, "forbidden")
		e.send("DELETE", "/api/v1/admin/contacts/no-such-contact/bounce", editor, nil).wantError(t, 404, "not_found")
		cleared := e.send("DELETE", "/api/v1/admin/contacts/"+id+"/bounce", editor, nil).wantStatus(t, 200).JSON(t)
		if cleared["bouncing"] != false || cleared["bounce_reason"] != nil {
			t.Fatalf("cleared = %v", cleared)
		}
		audited := false
		for _, it := range e.get("/api/v1/admin/audit", e.token("admin")).wantStatus(t, 200).JSON(t)["items"].([]any) {
			if a := it.(map[string]any); a["action"] == "contact.bounce_clear" && a["target"] == id {
				audited = true
			}
		}
		if !audited {
			t.Fatal("clearing a bounce was not audited")
		}
		e.smtp.SetReply(nil)
		third := e.draftDigest(t, "eu")
		if r := e.send("POST", "/api/v1/admin/digests/"+third+"/send", editor, nil).wantStatus(t, 202).JSON(t); r["recipients"] != float64(3) {
			t.Fatalf("after clearing, recipients = %v", r["recipients"])
		}
		e.waitDigest(t, third)
		if n := len(e.smtp.To(gone)); n != 1 {
			t.Fatalf("after clearing, the contact got %d digests, want 1", n)
		}
	})
}
