package api_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/store/storetest"
	"github.com/bnp/undersigned/server/internal/translog"
)

func (e *env) witness(t *testing.T, key ed25519.PrivateKey, state string) *translog.Witness {
	t.Helper()
	signer, _, err := translog.NewWitnessKey("witness.example.org", key)
	if err != nil {
		t.Fatal(err)
	}
	return &translog.Witness{
		Log: translog.Remote{URL: "http://localhost/log/" + demoSlug, Key: testLogKeys(t, e.cfg).Verifier,
			HTTP: &http.Client{Transport: appTransport{e.app}}},
		Signer: signer, StatePath: state,
	}
}

// A witness cosigns each consistent checkpoint; the server serves the
// cosigned checkpoint. When the log's history is rewritten in the
// database, the witness refuses, loudly, and keeps its state.
func TestWitnessCosignsAndRefusesAForkedLog(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		_, key, _ := ed25519.GenerateKey(nil)
		_, vkey, err := translog.NewWitnessKey("witness.example.org", key)
		if err != nil {
			t.Fatal(err)
		}
		e := newMailEnv(t, db, func(c *config.Config) { c.LogWitnesses = []string{vkey} })
		state := filepath.Join(t.TempDir(), "state")
		w := e.witness(t, key, state)
		ctx := context.Background()

		e.signAndConfirm(t, signBody("One", "one@example.org"))
		e.signAndConfirm(t, signBody("Two", "two@example.org"))
		e.appendBatch(t)
		if ok, err := w.Once(ctx); err != nil || !ok {
			t.Fatalf("first cosignature: %v %v", ok, err)
		}
		cp := string(e.get("/log/"+demoSlug+"/checkpoint", "").wantStatus(t, 200).Body)
		if strings.Count(cp, "\n— ") != 2 || !strings.Contains(cp, "— witness.example.org ") {
			t.Fatalf("the served checkpoint lacks the cosignature:\n%s", cp)
		}
		if lg := e.campaignLog(t); fmt.Sprint(lg["witnesses"]) != "[witness.example.org]" {
			t.Fatalf("campaign log = %v", lg)
		}
		if ok, err := w.Once(ctx); err != nil || ok {
			t.Fatalf("nothing new, yet: %v %v", ok, err)
		}
		e.signAndConfirm(t, signBody("Three", "three@example.org"))
		e.appendBatch(t)
		if ok, err := w.Once(ctx); err != nil || !ok {
			t.Fatalf("consistent growth not cosigned: %v %v", ok, err)
		}
		good, _ := os.ReadFile(state)

		// Rewrite history: leaf 0 becomes another receipt's leaf, every
		// stored hash is recomputed so that the tiles agree with each
		// other, and the next batch signs the forked tree.
		e.rewriteHistory(t)
		e.signAndConfirm(t, signBody("Four", "four@example.org"))
		e.appendBatch(t)
		// A witness restarted from its state file refuses.
		ok, err := e.witness(t, key, state).Once(ctx)
		if !errors.Is(err, translog.ErrFork) || ok {
			t.Fatalf("the witness cosigned a forked log: %v %v", ok, err)
		}
		if now, _ := os.ReadFile(state); string(now) != string(good) {
			t.Fatal("the witness moved its state to the forked tree")
		}
		if n := e.count("log_cosignatures WHERE size = 4"); n != 0 {
			t.Fatal("a cosignature of the forked tree was stored")
		}

		// A rollback: the state says the witness saw a larger tree.
		big := strings.Replace(string(good), "\n3\n", "\n9\n", 1)
		if err := os.WriteFile(state, []byte(big), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := e.witness(t, key, state).Once(ctx); !errors.Is(err, translog.ErrFork) {
			t.Fatalf("rollback not refused: %v", err)
		}
	})
}

// Only configured witnesses' cosignatures of checkpoints this log signed
// are kept.
func TestCosignaturesFromUnknownWitnessesOrOfOtherTreesAreRefused(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		_, known, _ := ed25519.GenerateKey(nil)
		_, stranger, _ := ed25519.GenerateKey(nil)
		_, vkey, _ := translog.NewWitnessKey("witness.example.org", known)
		e := newMailEnv(t, db, func(c *config.Config) { c.LogWitnesses = []string{vkey} })
		e.signAndConfirm(t, signBody("One", "one@example.org"))
		e.appendBatch(t)
		n, _, err := translog.OpenCheckpoint(e.get("/log/"+demoSlug+"/checkpoint", "").wantStatus(t, 200).Body, testLogKeys(t, e.cfg).Verifier)
		if err != nil {
			t.Fatal(err)
		}
		post := func(body []byte) response {
			return e.do(req{method: "POST", path: "/log/" + demoSlug + "/cosignature", raw: string(body), contentType: "text/plain"})
		}
		strangerSigner, _, _ := translog.NewWitnessKey("witness.example.org", stranger)
		msg, _ := note.Sign(n, strangerSigner)
		post(msg).wantError(t, 422, "validation_failed")
		other := *n
		other.Text = strings.Replace(n.Text, "\n1\n", "\n2\n", 1)
		knownSigner, _, _ := translog.NewWitnessKey("witness.example.org", known)
		msg, _ = note.Sign(&note.Note{Text: other.Text}, knownSigner)
		post(msg).wantError(t, 422, "validation_failed")
		if c := e.count("log_cosignatures"); c != 0 {
			t.Fatalf("%d cosignatures kept", c)
		}
		msg, _ = note.Sign(n, knownSigner)
		post(msg).wantStatus(t, 200)
		if c := e.count("log_cosignatures"); c != 1 {
			t.Fatalf("%d cosignatures kept, want 1", c)
		}
	})
}
