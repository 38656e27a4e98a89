package api_test

import (
	"slices"
	"testing"
	"time"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/store"
)

// The dev outbox holds signers' addresses, names and live links: only
// admins read it, every read is audited, and it exists only without
// SMTP_URL (issue 11, hole 7).
func TestOutboxIsForAdminsAndAudited(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		t.Parallel()
		for _, m := range []store.OutboxEntry{
			{Kind: mailers.KindPasswordReset, Recipient: e.users[store.RoleEditor].Email, Subject: "reset editor"},
			{Kind: mailers.KindSignatureConfirm, Recipient: "signer@example.org", Subject: "confirm"},
		} {
			if err := e.db.WriteOutbox(t.Context(), &m); err != nil {
				t.Fatal(err)
			}
		}
		for _, role := range []store.Role{store.RoleEditor, store.RoleModerator, store.RoleViewer} {
			tok := e.token(role)
			e.get("/api/v1/admin/outbox", tok).wantError(t, 403, "forbidden")
			e.get("/api/v1/admin/outbox/status", tok).wantError(t, 403, "forbidden")
		}
		e.get("/api/v1/admin/outbox", "").wantError(t, 401, "unauthorized")
		if n, err := e.db.CountWhere(t.Context(), "audit_log", "action = ?", "outbox.read"); err != nil || n != 0 {
			t.Fatalf("%d outbox reads audited after refused reads (%v)", n, err)
		}
		admin := e.token(store.RoleAdmin)
		if st := e.get("/api/v1/admin/outbox/status", admin).wantStatus(t, 200).JSON(t); st["enabled"] != true {
			t.Fatalf("status = %v", st)
		}
		for i := 1; i <= 2; i++ {
			items := e.get("/api/v1/admin/outbox", admin).wantStatus(t, 200).JSON(t)["items"].([]any)
			if len(items) != 2 {
				t.Fatalf("admin sees %d messages, want 2", len(items))
			}
			var reads []map[string]any
			for _, it := range e.get("/api/v1/admin/audit", admin).wantStatus(t, 200).JSON(t)["items"].([]any) {
				if a := it.(map[string]any); a["action"] == "outbox.read" {
					reads = append(reads, a)
				}
			}
			if len(reads) != i || reads[0]["actor_email"] != e.users[store.RoleAdmin].Email || reads[0]["rows"] != float64(2) {
				t.Fatalf("after %d reads the audit log has %v", i, reads)
			}
		}
		// Messages are kept two days only.
		if err := e.db.Exec(t.Context(), "UPDATE dev_outbox SET created_at = ?", time.Now().UTC().Add(-49*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n, err := e.db.PurgeOutbox(t.Context(), time.Now().Add(-48*time.Hour)); err != nil || n != 2 {
			t.Fatalf("purged %d, %v; want 2", n, err)
		}
	})
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		admin := e.token(store.RoleAdmin)
		e.get("/api/v1/admin/outbox", admin).wantError(t, 404, "not_found")
		if st := e.get("/api/v1/admin/outbox/status", admin).wantStatus(t, 200).JSON(t); st["enabled"] != false {
			t.Fatalf("status with SMTP = %v", st)
		}
	})
}

// An admin looking for one person's mail gets only that address's, in any
// case, and ?kind= narrows it further; the filter was once ignored.
func TestOutboxFiltersByRecipientAndKind(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		t.Parallel()
		for _, m := range []store.OutboxEntry{
			{Kind: mailers.KindSignatureConfirm, Recipient: "ales@example.org", Subject: "confirm ales"},
			{Kind: mailers.KindDigest, Recipient: "ales@example.org", Subject: "digest ales"},
			{Kind: mailers.KindSignatureConfirm, Recipient: "alena@example.org", Subject: "confirm alena"},
		} {
			if err := e.db.WriteOutbox(t.Context(), &m); err != nil {
				t.Fatal(err)
			}
		}
		admin := e.token(store.RoleAdmin)
		subjects := func(query string) []string {
			var out []string
			for _, it := range e.get("/api/v1/admin/outbox"+query, admin).wantStatus(t, 200).JSON(t)["items"].([]any) {
				out = append(out, it.(map[string]any)["subject"].(string))
			}
			slices.Sort(out)
			return out
		}
		for query, want := range map[string][]string{
			"":                                 {"confirm alena", "confirm ales", "digest ales"},
			"?to=ales@example.org":             {"confirm ales", "digest ales"},
			"?to=ALES%40Example.org":           {"confirm ales", "digest ales"},
			"?to=ales@example.org&kind=digest": {"digest ales"},
			"?kind=signature_confirm":          {"confirm alena", "confirm ales"},
			"?to=nobody@example.org":           nil,
		} {
			if got := subjects(query); !slices.Equal(got, want) {
				t.Errorf("outbox%s lists %v, want %v", query, got, want)
			}
		}
		// Filtered or not, only admins read it.
		e.get("/api/v1/admin/outbox?to=ales@example.org", e.token(store.RoleEditor)).wantError(t, 403, "forbidden")
	})
}
