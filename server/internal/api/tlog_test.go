package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/bnp/undersigned/server/internal/translog"
)

const demoSlug = "release-all-political-prisoners"

func (e *env) campaignLog(t *testing.T) map[string]any {
	t.Helper()
	return e.get(demo, "").wantStatus(t, 200).JSON(t)["log"].(map[string]any)
}

// Sign, confirm (a receipt, once), see the count and then the checkpoint
// move at the next batch, prove the receipt's leaf included with the
// library's own verifier, withdraw and see the withdrawal leaf.
func TestLogReceiptInclusionAndWithdrawalLeaf(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		e.get("/log/"+demoSlug+"/checkpoint", "").wantError(t, 404, "not_found")
		e.send("POST", demo+"/signatures", "", signBody("Alena K", "alena@example.org")).wantStatus(t, 202)
		msg := e.smtp.Wait(1, 10*time.Second)[0]
		confirm := linkIn(t, msg.Text, "/confirm/")
		withdraw := linkIn(t, msg.Text, "/withdraw/")
		r := e.send("POST", "/api/v1/signatures/confirm", "", map[string]string{"token": confirm}).wantStatus(t, 200).JSON(t)
		receipt, _ := r["receipt"].(string)
		if _, err := translog.NormalizeReceipt(receipt); err != nil {
			t.Fatalf("confirm gave no receipt: %v", r)
		}
		again := e.send("POST", "/api/v1/signatures/confirm", "", map[string]string{"token": confirm}).wantStatus(t, 200).JSON(t)
		if _, ok := again["receipt"]; ok {
			t.Fatal("a second confirmation gave a second receipt")
		}
		if e.signatureCount(t) != 1 {
			t.Fatal("the waiting leaf does not count")
		}
		if lg := e.campaignLog(t); lg["size"] != float64(0) || lg["counted"] != float64(0) {
			t.Fatalf("log before the batch = %v", lg)
		}
		if n := e.count("signatures WHERE receipt_commitment IS NOT NULL"); n != 1 {
			t.Fatalf("%d signatures keep a commitment", n)
		}

		e.appendBatch(t)
		lg := e.campaignLog(t)
		if lg["size"] != float64(1) || lg["counted"] != float64(1) || lg["signed_at"] == nil || e.signatureCount(t) != 1 {
			t.Fatalf("log after the batch = %v, count %v", lg, e.signatureCount(t))
		}
		cp, f := e.logClient(t, demoSlug)
		if cp.N != 1 || cp.Origin != "localhost:8080/log/"+demoSlug {
			t.Fatalf("checkpoint %+v", cp)
		}
		entries := logEntries(t, f, cp.Tree)
		commitment, _ := translog.Commit(receipt)
		leaf, err := translog.ParseLeaf([]byte(entries[0]))
		if err != nil || leaf.Kind != "confirmed" || leaf.Commitment != commitment || len(leaf.Day) != 10 {
			t.Fatalf("leaf %q (%v), want the receipt's commitment %s", entries[0], err, commitment)
		}
		for _, private := range []string{"alena", "Alena", "example.org", "BY"} {
			if strings.Contains(entries[0], private) {
				t.Fatalf("the leaf %q holds personal data", entries[0])
			}
		}
		hr := torchwood.TileHashReaderWithContext(context.Background(), cp.Tree, f)
		proof, err := tlog.ProveRecord(cp.N, 0, hr)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckRecord(proof, cp.N, cp.Hash, 0, tlog.RecordHash([]byte(entries[0]))); err != nil {
			t.Fatalf("inclusion: %v", err)
		}

		e.send("POST", "/api/v1/signatures/withdraw", "", map[string]string{"token": withdraw}).wantStatus(t, 200)
		if e.signatureCount(t) != 0 {
			t.Fatal("a withdrawal waiting for the batch still counts")
		}
		e.appendBatch(t)
		cp2, f2 := e.logClient(t, demoSlug)
		entries = logEntries(t, f2, cp2.Tree)
		if cp2.N != 2 || entries[1] != "withdrawn "+leaf.Day+" "+commitment+"\n" {
			t.Fatalf("after withdrawal: size %d, entries %q", cp2.N, entries)
		}
		if lg := e.campaignLog(t); lg["counted"] != float64(0) || e.signatureCount(t) != 0 {
			t.Fatalf("log after withdrawal = %v", lg)
		}
		hr2 := torchwood.TileHashReaderWithContext(context.Background(), cp2.Tree, f2)
		tp, err := tlog.ProveTree(cp2.N, cp.N, hr2)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckTree(tp, cp2.N, cp2.Hash, cp.N, cp.Hash); err != nil {
			t.Fatalf("the second checkpoint is not consistent with the first: %v", err)
		}
	})
}

// Shadow-flagged and staff-invalidated signatures leave public removal
// leaves with a reason code, and the log's count stays the real count.
func TestLogRemovalsAreLeavesWithReasons(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		e.signAndConfirm(t, signBody("Real Person", "real@example.org"))
		e.signAndConfirm(t, signBody("Bot McBot", "bot@mailinator.com"))
		farm := signBody("Farm", "farm@spamfarm.example")
		e.signAndConfirm(t, farm)
		url := "/api/v1/admin/campaigns/" + demoSlug + "/invalidations"
		admin := e.token("admin")
		e.send("POST", url, admin, map[string]any{"domain": "spamfarm.example", "expected_count": 1, "reason": "because"}).
			wantError(t, 422, "validation_failed")
		if n := e.count("log_events WHERE kind = 'invalidated' AND reason = 'fraud_surge'"); n != 0 {
			t.Fatal("a refused invalidation wrote a leaf")
		}
		e.send("POST", url, admin, map[string]any{"domain": "spamfarm.example", "expected_count": 1, "reason": "fraud_surge"}).wantStatus(t, 200)
		e.appendBatch(t)
		cp, f := e.logClient(t, demoSlug)
		kinds := map[string]int{}
		for _, entry := range logEntries(t, f, cp.Tree) {
			l, err := translog.ParseLeaf([]byte(entry))
			if err != nil {
				t.Fatalf("leaf %q: %v", entry, err)
			}
			kinds[l.Kind+":"+l.Reason]++
		}
		if kinds["confirmed:"] != 3 || kinds["invalidated:disposable_domain"] != 1 || kinds["invalidated:fraud_surge"] != 1 || cp.N != 5 {
			t.Fatalf("leaves %v", kinds)
		}
		counted, err := e.db.CountedSignatures(context.Background(), e.campaignID(t))
		if err != nil || e.signatureCount(t) != 1 || counted != 1 || e.campaignLog(t)["counted"] != float64(1) {
			t.Fatalf("count %v, counted signatures %d (%v), log %v", e.signatureCount(t), counted, err, e.campaignLog(t))
		}
	})
}

// Several instances may batch at once: each waiting leaf is appended once.
func TestLogConcurrentAppendersAppendEachLeafOnce(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		for _, who := range []string{"a", "b", "c"} {
			e.signAndConfirm(t, signBody("Person "+who, who+"@example.org"))
		}
		var wg sync.WaitGroup
		for i := 0; i < 3; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a := &translog.Appender{Store: e.db.Store, Keys: testLogKeys(t, e.cfg)}
				if err := a.AppendAll(context.Background()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		cp, f := e.logClient(t, demoSlug)
		if entries := logEntries(t, f, cp.Tree); cp.N != 3 || len(entries) != 3 {
			t.Fatalf("size %d, entries %q", cp.N, entries)
		}
	})
}

func TestLogEndpointsRefuseWhatIsNotThere(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		e.signAndConfirm(t, signBody("A B", "ab@example.org"))
		e.appendBatch(t)
		for _, path := range []string{"tile/0/000", "tile/entries/000", "tile/0/000.p/2", "tile/1/000.p/1", "tile/entries/001.p/1", "tile/x/000", "tile/0/-1"} {
			e.get("/log/"+demoSlug+"/"+path, "").wantError(t, 404, "not_found")
		}
		ok := e.get("/log/"+demoSlug+"/tile/0/000.p/1", "").wantStatus(t, 200)
		if cc := ok.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") || len(ok.Body) != 32 {
			t.Fatalf("tile: %d bytes, cache %q", len(ok.Body), cc)
		}
		e.get("/log/no-such-campaign/checkpoint", "").wantError(t, 404, "not_found")
		e.send("POST", "/log/"+demoSlug+"/cosignature", "", "not a note").wantError(t, 422, "validation_failed")
		if n := e.count("log_cosignatures"); n != 0 {
			t.Fatalf("%d cosignatures kept", n)
		}
	})
}

// queueLeaves puts n confirmations straight into the waiting table, as n
// confirmed signatures would.
func (e *env) queueLeaves(t *testing.T, n, offset int) {
	t.Helper()
	id := e.campaignID(t)
	for i := 0; i < n; i++ {
		c := fmt.Sprintf("%064x", offset+i+1)
		if err := e.db.Exec(context.Background(), "INSERT INTO log_events (campaign_id, commitment, kind, reason, day) VALUES (?, ?, 'confirmed', '', '2026-12-05')", id, c); err != nil {
			t.Fatal(err)
		}
	}
}

// Trees past one tile: full tiles are stored whole when they fill, partial
// ones read from the hashes; the library verifies both, across batches.
func TestLogFullAndPartialTilesVerifyAcrossBatches(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		e.queueLeaves(t, 300, 0)
		e.appendBatch(t)
		cp1, _ := e.logClient(t, demoSlug)
		e.queueLeaves(t, 300, 300)
		e.appendBatch(t)
		cp2, f := e.logClient(t, demoSlug)
		if cp1.N != 300 || cp2.N != 600 || e.count("log_tiles") != 2 {
			t.Fatalf("sizes %d %d, %d full tiles stored", cp1.N, cp2.N, e.count("log_tiles"))
		}
		entries := logEntries(t, f, cp2.Tree)
		hr := torchwood.TileHashReaderWithContext(context.Background(), cp2.Tree, f)
		for _, i := range []int64{0, 255, 256, 511, 512, 599} {
			p, err := tlog.ProveRecord(cp2.N, i, hr)
			if err != nil || tlog.CheckRecord(p, cp2.N, cp2.Hash, i, tlog.RecordHash([]byte(entries[i]))) != nil {
				t.Fatalf("leaf %d: %v", i, err)
			}
		}
		tp, err := tlog.ProveTree(cp2.N, cp1.N, hr)
		if err != nil || tlog.CheckTree(tp, cp2.N, cp2.Hash, cp1.N, cp1.Hash) != nil {
			t.Fatalf("consistency 300 → 600: %v", err)
		}
		// undersigned verify's audit reads the same log over HTTP.
		remote := translog.Remote{URL: "http://localhost/log/" + demoSlug, Key: testLogKeys(t, e.cfg).Verifier,
			HTTP: &http.Client{Transport: appTransport{e.app}}}
		if a, err := remote.AuditLog(context.Background()); err != nil || a.Counted != 600 || a.Tiles != 4 {
			t.Fatalf("audit: %+v %v", a, err)
		}
		if n, err := e.db.SignatureCount(context.Background(), e.campaignID(t)); err != nil || n != 600 {
			t.Fatalf("count %d %v", n, err)
		}
	})
}
