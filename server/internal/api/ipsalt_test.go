package api_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// Client address hashes use the day's random salt from the database: two
// instances hash alike (so per-client limits hold across them), and the
// hash is not the one DATA_KEY and the date alone give, which anyone with
// the key could reverse by trying every IPv4 address (issue 11, hole 8).
func TestIPHashSaltIsRandomAndShared(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		t.Parallel()
		behindProxy := func(c *config.Config) { c.TrustedProxies = []string{"0.0.0.0"} }
		first := newEnv(t, db, behindProxy)
		second := &env{t: t, db: db, cfg: first.cfg, tokens: first.tokens, users: first.users}
		d := testDeps(t, first.cfg, db, first.tokens)
		d.Store = db.Reopen(t)
		second.serve(d)
		const client = "203.0.113.7"
		sign := func(i int) response {
			return []*env{first, second}[i%2].do(req{method: "POST", path: demo + "/signatures",
				body: signBody("Same Client", fmt.Sprintf("c%02d@example.org", i)), headers: map[string]string{"X-Forwarded-For": client}})
		}
		for i := 0; i < 60; i++ {
			sign(i).wantStatus(t, 202)
		}
		// 60 in 10 minutes per client, counted across both instances.
		sign(60).wantError(t, 429, "rate_limited")
		// What the hash would be were the salt derived from DATA_KEY and the date.
		daySalt := hmac.New(sha256.New, privacy.NewKeys(first.cfg.DataKey).Derive("ip"))
		daySalt.Write([]byte(time.Now().UTC().Format("2006-01-02")))
		m := hmac.New(sha256.New, daySalt.Sum(nil))
		m.Write([]byte(client))
		derived := base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
		// No signature keeps the hash at all: with the database and DATA_KEY
		// the day's salt would turn it back into the address.
		first.settle()
		if n, err := db.CountWhere(t.Context(), "signatures", "ip_hash IS NOT NULL OR ip_hash = ?", derived); err != nil || n != 0 {
			t.Fatalf("%d signatures carry an ip hash (%v)", n, err)
		}
	})
}
