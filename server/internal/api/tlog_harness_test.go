package api_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"testing"

	"filippo.io/torchwood"
	"github.com/gofiber/fiber/v2"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/translog"
)

func testLogKeys(t testing.TB, cfg config.Config) *translog.Keys {
	t.Helper()
	k, err := translog.NewKeys(cfg.LogSigningKey, cfg.LogWitnesses, cfg.PublicURL)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// appendBatch runs one batch of the log appender, as the background one
// does every LOG_BATCH_INTERVAL.
func (e *env) appendBatch(t *testing.T) {
	t.Helper()
	a := &translog.Appender{Store: e.db.Store, Keys: testLogKeys(t, e.cfg)}
	if err := a.AppendAll(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// appTransport lets an http.Client (torchwood's tile fetcher) talk to the
// app under test without a socket.
type appTransport struct{ app *fiber.App }

func (a appTransport) RoundTrip(r *http.Request) (*http.Response, error) { return a.app.Test(r, -1) }

// logClient reads a campaign's log as any tlog client would: with
// torchwood's fetcher and golang.org/x/mod's verifier, not this project's
// code. It returns the verified tree and a reader of its proven hashes.
func (e *env) logClient(t *testing.T, slug string) (torchwood.Checkpoint, *torchwood.TileFetcher) {
	t.Helper()
	vkey := string(e.get("/log/key", "").wantStatus(t, 200).Body)
	verifier, err := note.NewVerifier(vkey[:len(vkey)-1])
	if err != nil {
		t.Fatalf("/log/key is not a note verifier key: %q: %v", vkey, err)
	}
	raw := e.get("/log/"+slug+"/checkpoint", "").wantStatus(t, 200).Body
	n, err := note.Open(raw, note.VerifierList(verifier))
	if err != nil {
		t.Fatalf("checkpoint signature: %v\n%s", err, raw)
	}
	cp, err := torchwood.ParseCheckpoint(n.Text)
	if err != nil {
		t.Fatal(err)
	}
	f, err := torchwood.NewTileFetcher("http://localhost/log/"+slug+"/", torchwood.WithHTTPClient(&http.Client{Transport: appTransport{e.app}}))
	if err != nil {
		t.Fatal(err)
	}
	return cp, f
}

// logEntries reads every entry of the tree, each checked against it.
func logEntries(t *testing.T, f *torchwood.TileFetcher, tree tlog.Tree) []string {
	t.Helper()
	c, err := torchwood.NewClient(f)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	// Entries may stop before a partial tile: resume until the tree's end.
	for int64(len(out)) < tree.N {
		before := len(out)
		for _, entry := range c.Entries(context.Background(), tree, int64(len(out))) {
			out = append(out, string(entry))
		}
		if err := c.Err(); err != nil {
			t.Fatalf("entries do not match the tree: %v", err)
		}
		if len(out) == before {
			t.Fatalf("no entries after %d of %d", before, tree.N)
		}
	}
	return out
}

func (e *env) campaignID(t *testing.T) string {
	t.Helper()
	camp, err := e.db.CampaignBySlug(context.Background(), demoSlug)
	if err != nil {
		t.Fatal(err)
	}
	return camp.ID
}

// rewriteHistory forges the campaign's log in the database: leaf 0 becomes
// another receipt's, and every stored hash is recomputed so that the tiles
// agree with each other. The next batch signs the forked tree.
func (e *env) rewriteHistory(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	id := e.campaignID(t)
	tree, err := e.db.LogTreeOf(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := e.db.LogEntries(ctx, id, 0, tree.Size)
	if err != nil {
		t.Fatal(err)
	}
	_, forged := translog.NewReceipt()
	entries[0] = "confirmed " + entries[0][10:20] + " " + forged + "\n"
	rebuilt, err := translog.AppendLeaves(0, entries, func([]int64) ([][]byte, error) { return nil, errors.New("empty") })
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.Exec(ctx, "UPDATE log_entries SET leaf = ? WHERE campaign_id = ? AND idx = 0", entries[0], id); err != nil {
		t.Fatal(err)
	}
	for idx, h := range rebuilt.Hashes {
		if err := e.db.Exec(ctx, "UPDATE log_hashes SET hash = ? WHERE campaign_id = ? AND idx = ?", base64.StdEncoding.EncodeToString(h), id, idx); err != nil {
			t.Fatal(err)
		}
	}
}
