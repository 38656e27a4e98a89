package api_test

import (
	"testing"
)

func TestDashboardCountsByStatusDayCountryAndPartner(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		viaPartner := signBody("Partner Reader", "reader@example.org")
		viaPartner["ref"] = "bnp-newsletter"
		e.signAndConfirm(t, viaPartner)
		lt := signBody("Lithuanian Friend", "lt@example.org")
		lt["country"] = "LT"
		e.signAndConfirm(t, lt)
		e.send("POST", demo+"/signatures", "", signBody("Not Yet", "pending@example.org")).wantStatus(t, 202)
		e.signAndConfirm(t, signBody("Bot", "bot@mailinator.com"))
		e.settle() // "Not Yet" is written, whichever intake worker took it

		d := e.get("/api/v1/admin/campaigns/release-all-political-prisoners/dashboard", e.token("viewer")).wantStatus(t, 200).JSON(t)
		sig := d["signatures"].(map[string]any)
		if sig["confirmed"] != float64(2) || sig["pending"] != float64(1) || sig["flagged"] != float64(1) || sig["invalidated"] != float64(0) {
			t.Fatalf("signatures = %v", sig)
		}
		refs := d["by_ref"].([]any)
		if len(refs) != 1 || refs[0].(map[string]any)["ref"] != "bnp-newsletter" || refs[0].(map[string]any)["count"] != float64(1) {
			t.Fatalf("by_ref = %v", refs)
		}
		// Staff see small cells: one signature from Lithuania is shown as such.
		countries := d["by_country"].([]any)
		if len(countries) != 2 {
			t.Fatalf("by_country = %v", countries)
		}
		if len(d["by_day"].([]any)) != 1 || d["endorsements"] == nil {
			t.Fatalf("dashboard = %v", d)
		}
		e.get("/api/v1/admin/campaigns/no-such/dashboard", e.token("viewer")).wantError(t, 404, "not_found")
	})
}
