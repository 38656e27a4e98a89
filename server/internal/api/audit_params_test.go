package api_test

import (
	"strings"
	"testing"
)

// The audit log keeps only the query parameters a route knows and that
// name nobody: ?q=someone@example.net was stored verbatim (issue 11, hole 8).
func TestAuditKeepsOnlyKnownNonPersonalParameters(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		t.Parallel()
		admin := e.token("admin")
		base := "/api/v1/admin/campaigns/release-all-political-prisoners"
		e.get(base+"/signatures?q=someone@example.net&status=confirmed&note=Alena+Kupala", admin).wantStatus(t, 200)
		e.get(base+"/signatures.csv?who=someone@example.net&country=BY", admin).wantStatus(t, 200)
		e.get("/api/v1/admin/endorsements?status=all&contact=someone@example.net", e.token("moderator")).wantStatus(t, 200)
		e.get(base+"/endorsements.csv?search=Alena", admin).wantStatus(t, 200)
		audit := string(mustJSON(t, e.get("/api/v1/admin/audit", admin).JSON(t)))
		for _, leaked := range []string{"someone", "example.net", "Alena", "Kupala", "q=", "note", "who", "contact", "search"} {
			if strings.Contains(audit, leaked) {
				t.Errorf("the audit log keeps %q: %s", leaked, audit)
			}
		}
		for _, kept := range []string{"status=confirmed", "country=BY", "status=all"} {
			if !strings.Contains(audit, kept) {
				t.Errorf("the audit log lost the filter %s: %s", kept, audit)
			}
		}
	})
}
