package api_test

import (
	"testing"

	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// Bytes that are not UTF-8 are refused with 400 at the door, in paths,
// query strings and bodies, public and staff routes alike: before, a body
// stored U+FFFD and PostgreSQL answered 500 to a path or query, and staff
// routes wrote the raw bytes into the audit log (issue 11, hole 8).
func TestNonUTF8IsRefusedAtTheDoor(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		t.Parallel()
		e := newEnv(t, db, nil)
		admin := e.token(store.RoleAdmin)
		auditRows := e.count("audit_log")
		staff := "/api/v1/admin/campaigns/release-all-political-prisoners"
		for _, r := range []req{
			{method: "GET", path: "/api/v1/campaigns/%ff"},
			{method: "GET", path: "/api/v1/campaigns/\xff"},
			{method: "GET", path: "/api/v1/campaigns/%ff/stats"},
			{method: "GET", path: demo + "/signers?cursor=%ff"},
			{method: "GET", path: demo + "/signers?%ff=1"},
			{method: "GET", path: "/embed/%ff"},
			{method: "POST", path: "/api/v1/campaigns/%ff/signatures", body: signBody("Alena Kupala", "a@example.org")},
			{method: "POST", path: demo + "/signatures", raw: "{\"name\":\"Alena \xff\",\"email\":\"b@example.org\",\"country\":\"BY\",\"consent\":true}", contentType: "application/json"},
			{method: "POST", path: demo + "/signatures", raw: `{"name":"Alena \udcff","email":"c@example.org","country":"BY","consent":true}`, contentType: "application/json"},
			{method: "POST", path: demo + "/signatures", raw: `{"name":"Alena \ud83d","email":"c@example.org","country":"BY","consent":true}`, contentType: "application/json"},
			{method: "POST", path: "/api/v1/contacts/unsubscribe", raw: "List-Unsubscribe=One-Click&token=%ff", contentType: "application/x-www-form-urlencoded"},
			{method: "GET", path: staff + "/signatures?country=%ff", token: admin},
			{method: "GET", path: staff + "/signatures.csv?status=%ff", token: admin},
			{method: "GET", path: "/api/v1/admin/campaigns/%ff", token: admin},
			{method: "POST", path: "/api/v1/admin/contacts/import", raw: "name,email,region\nAl\xffna,al@example.org,eu\n", contentType: "text/csv", token: admin},
		} {
			res := e.do(r)
			if res.Status != 400 {
				t.Errorf("%s %q: status %d, want 400; body %s", r.method, r.path, res.Status, res.Body)
				continue
			}
			res.wantError(t, 400, "bad_request")
		}
		for table, before := range map[string]int64{"signatures": 0, "contacts": 0, "audit_log": auditRows} {
			if n := e.count(table); n != before {
				t.Errorf("%s has %d rows, want %d: refused requests wrote", table, n, before)
			}
		}
		// Escaped surrogate pairs are text, and emoji sequences are names.
		ok := signBody("", "")
		e.do(req{method: "POST", path: demo + "/signatures", raw: `{"name":"Alena \ud83d\ude00 \\ud800","email":"d@example.org","country":"BY","consent":true}`, contentType: "application/json"}).wantStatus(t, 202)
		ok["name"], ok["email"] = "Alena 👩\u200d👩\u200d👧", "e@example.org"
		e.send("POST", demo+"/signatures", "", ok).wantStatus(t, 202)
	})
}
