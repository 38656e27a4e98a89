package api_test

import (
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// The privacy page names CONTACT_EMAIL; unset, it is empty.
func TestSiteGivesTheContactAddress(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		if got := e.get("/api/v1/site", "").wantStatus(t, 200).JSON(t)["contact_email"]; got != "" {
			t.Fatalf("unset contact_email = %v", got)
		}
	})
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		e := newEnv(t, db, func(c *config.Config) { c.ContactEmail = "team@example.org" })
		if got := e.get("/api/v1/site", "").wantStatus(t, 200).JSON(t)["contact_email"]; got != "team@example.org" {
			t.Fatalf("contact_email = %v", got)
		}
	})
}

// The receipt and verify pages say how soon a receipt is in the log from
// the configured interval, not a fixed "ten minutes".
func TestSiteGivesTheLogInterval(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		e := newEnv(t, db, func(c *config.Config) { c.LogBatchInterval = 3 * time.Minute })
		if got := e.get("/api/v1/site", "").wantStatus(t, 200).JSON(t)["log_interval_seconds"]; got != float64(180) {
			t.Fatalf("log_interval_seconds = %v, want 180", got)
		}
	})
}
