package store_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// The salt of client address hashes is random, shared by every instance,
// and destroyed when the day turns (issue 11, hole 8).
func TestIPSaltIsRandomSharedAndDestroyedOnRotation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		t.Parallel()
		ctx := t.Context()
		other := db.Reopen(t) // a second instance
		day1 := time.Date(2026, 3, 1, 23, 59, 0, 0, time.UTC)
		a, err := db.IPSalt(ctx, day1)
		if err != nil || len(a) != 32 {
			t.Fatalf("salt = %x, %v", a, err)
		}
		if b, err := other.IPSalt(ctx, day1.Add(30*time.Second)); err != nil || !bytes.Equal(a, b) {
			t.Fatalf("another instance got %x (%v), want the same salt %x", b, err, a)
		}
		// Not derived from anything: another database, the same day, another salt.
		if c, err := storetest.New(t, db.Kind).IPSalt(ctx, day1); err != nil || bytes.Equal(a, c) {
			t.Fatalf("another database got %x (%v): the salt is not random", c, err)
		}
		day2 := day1.Add(2 * time.Minute)
		next, err := other.IPSalt(ctx, day2)
		if err != nil || bytes.Equal(next, a) {
			t.Fatalf("the next day's salt = %x (%v), want a new one", next, err)
		}
		if n, err := db.CountWhere(ctx, "ip_salts", "day = ?", "2026-03-01"); err != nil || n != 0 {
			t.Fatalf("yesterday's salt is still stored (%d, %v)", n, err)
		}
		// An instance whose clock lags gets today's salt, never yesterday's again.
		if late, err := db.IPSalt(ctx, day1); err != nil || !bytes.Equal(late, next) {
			t.Fatalf("a late clock got %x (%v), want today's %x", late, err, next)
		}
		if n, err := db.CountRows(ctx, "ip_salts"); err != nil || n != 1 {
			t.Fatalf("%d salts stored (%v), want 1", n, err)
		}
		// Housekeeping destroys it once its day is over, requests or not.
		if n, err := db.DeleteStaleIPSalts(ctx, day2.Add(24*time.Hour)); err != nil || n != 1 {
			t.Fatalf("stale salts deleted: %d, %v; want 1", n, err)
		}
	})
}
