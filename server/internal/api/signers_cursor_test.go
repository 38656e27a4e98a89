package api_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// The public signers list tells nobody when a listed person signed beyond
// the day: signed_at is a date and the cursor is opaque, not the
// signature's UUIDv7 (issue 11, hole 8).
func TestSignersListShowsTheDayOnlyAndAnOpaqueCursor(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		t.Parallel()
		e := newMailEnv(t, db, func(c *config.Config) { c.RateLimits = false })
		for i := 0; i < 51; i++ {
			b := signBody(fmt.Sprintf("Listed Signer%02d", i), fmt.Sprintf("listed%02d@example.org", i))
			b["visibility"] = "public"
			e.signAndConfirm(t, b)
		}
		page := e.get(demo+"/signers", "").wantStatus(t, 200).JSON(t)
		items := page["items"].([]any)
		today := time.Now().UTC().Format(time.DateOnly)
		for _, it := range items {
			if at := it.(map[string]any)["signed_at"]; at != today {
				t.Fatalf("signed_at = %v, want the day %s only", at, today)
			}
		}
		cursor, _ := page["next_cursor"].(string)
		if len(items) != 50 || cursor == "" {
			t.Fatalf("%d items, cursor %q", len(items), cursor)
		}
		uuid := regexp.MustCompile(`[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}`)
		if uuid.MatchString(strings.ToLower(cursor)) {
			t.Fatalf("the cursor %q carries an id", cursor)
		}
		rest := e.get(demo+"/signers?cursor="+cursor, "").wantStatus(t, 200).JSON(t)
		if n := len(rest["items"].([]any)); n != 1 || rest["next_cursor"] != "" {
			t.Fatalf("second page: %d items, cursor %v; want the last one", n, rest["next_cursor"])
		}
		// A cursor is good for its own list only, and cannot be made up.
		// One character changed in the middle, where all its bits are the
		// sealed bytes' (at the end, base64's unused bits could leave the
		// bytes as they were).
		mid, swap := len(cursor)/2, byte('A')
		if cursor[mid] == swap {
			swap = 'B'
		}
		tampered := cursor[:mid] + string(swap) + cursor[mid+1:]
		for _, bad := range []string{tampered, "0190f0d2-7a55-7c3e-8f00-000000000000"} {
			e.get(demo+"/signers?cursor="+bad, "").wantError(t, 422, "validation_failed")
		}
	})
}
