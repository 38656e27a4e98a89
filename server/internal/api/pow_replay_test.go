package api_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"strconv"
	"testing"

	"github.com/bnp/undersigned/server/internal/api"
	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/pow"
	"github.com/bnp/undersigned/server/internal/ratelimit"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// solvePow fetches a challenge from the API and solves it as the widget
// does, returning the payload the forms submit.
func (e *env) solvePow(t *testing.T) string {
	t.Helper()
	var c pow.Challenge
	if err := json.Unmarshal(e.get("/api/v1/pow", "").wantStatus(t, 200).Body, &c); err != nil {
		t.Fatal(err)
	}
	for n := int64(0); n <= c.MaxNumber; n++ {
		sum := sha256.Sum256([]byte(c.Salt + strconv.FormatInt(n, 10)))
		if hex.EncodeToString(sum[:]) == c.Challenge {
			b, _ := json.Marshal(map[string]any{"algorithm": c.Algorithm, "challenge": c.Challenge, "number": n,
				"salt": c.Salt, "signature": c.Signature, "took": 800})
			return base64.StdEncoding.EncodeToString(b)
		}
	}
	t.Fatal("challenge has no solution")
	return ""
}

// One solved challenge is good for one form, on the database (with the
// time-to-live pow.Verify really passes) and on Redis alike (issue 11,
// hole 1: it was good for any number of forms without Redis).
func TestPowSolutionIsSpentOnce(t *testing.T) {
	t.Parallel()
	powOn := func(c *config.Config) { c.POW = true }
	run := func(t *testing.T, e *env) {
		payload := e.solvePow(t)
		first := signBody("Alena Kupala", "first@example.org")
		first["pow"] = payload
		e.send("POST", demo+"/signatures", "", first).wantStatus(t, 202)
		for i, email := range []string{"second@example.org", "third@example.org"} {
			again := signBody("Alena Kupala", email)
			again["pow"] = payload
			fields := e.send("POST", demo+"/signatures", "", again).wantError(t, 422, "validation_failed")
			if fields["pow"] == nil {
				t.Fatalf("replay %d refused for %v, want pow", i, fields)
			}
		}
		endorse := endorseBody("Replayed NGO", "ngo@example.org")
		endorse["pow"] = payload
		e.send("POST", demo+"/endorsements", "", endorse).wantError(t, 422, "validation_failed")
		if n := e.count("endorsements"); n != 0 {
			t.Fatalf("%d endorsements stored, want 0", n)
		}
	}
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		t.Parallel()
		run(t, newEnv(t, db, powOn))
	})
	url := os.Getenv("TEST_REDIS_URL")
	if url == "" {
		return
	}
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		r, err := ratelimit.NewRedis(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = r.Close() })
		db := storetest.New(t, storetest.SQLite)
		run(t, newEnvDeps(t, db, powOn, func(d *api.Deps) {
			proof, err := pow.New(d.Keys.Derive("pow"), true, 0, 0, r.SpendOnce)
			if err != nil {
				t.Fatal(err)
			}
			d.Pow, d.Limiter = proof, ratelimit.New(r, true)
		}))
	})
}
