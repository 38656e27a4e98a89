package api_test

import (
	"testing"
)

func TestSeededCampaignIsPublic(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		list := e.get("/api/v1/campaigns", "").wantStatus(t, 200).JSON(t)
		items := list["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["slug"] != "release-all-political-prisoners" {
			t.Fatalf("items = %v", items)
		}
		c := e.get("/api/v1/campaigns/release-all-political-prisoners", "").wantStatus(t, 200).JSON(t)
		calls := c["calls"].([]any)
		if len(calls) != 8 || c["status"] != "open" || c["signature_count"] != float64(0) {
			t.Fatalf("campaign: status %v, %d calls, count %v", c["status"], len(calls), c["signature_count"])
		}
		first := calls[0].(map[string]any)
		if aud := first["audiences"].([]any); len(aud) != 1 || aud[0] != "belarus" {
			t.Fatalf("first call audiences = %v", aud)
		}
		last := calls[7].(map[string]any)
		if aud := last["audiences"].([]any); len(aud) != 3 {
			t.Fatalf("last call audiences = %v", aud)
		}
		if html := c["body_html"].(string); len(html) < 1000 || c["body"] != nil {
			t.Fatalf("body_html has %d bytes; markdown source public: %v", len(html), c["body"] != nil)
		}
		e.get("/api/v1/campaigns/no-such-campaign", "").wantError(t, 404, "not_found")
	})
}
