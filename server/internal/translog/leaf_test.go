package translog

import (
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/bnp/undersigned/server/internal/store"
)

func TestLeafEncodingRoundTripsAndRefusesAnythingElse(t *testing.T) {
	t.Parallel()
	c := strings.Repeat("ab", 32)
	for _, l := range []Leaf{
		{Kind: store.LogConfirmed, Day: "2026-12-05", Commitment: c},
		{Kind: store.LogWithdrawn, Day: "2026-12-05", Commitment: c},
		{Kind: store.LogInvalidated, Day: "2026-12-05", Commitment: c, Reason: store.ReasonFraudSurge},
	} {
		got, err := ParseLeaf(l.Encode())
		if err != nil || got != l {
			t.Errorf("%q read back as %+v, %v", l.Encode(), got, err)
		}
	}
	if got := string((Leaf{Kind: "confirmed", Day: "2026-12-05", Commitment: c}).Encode()); got != "confirmed 2026-12-05 "+c+"\n" {
		t.Errorf("encoding changed: %q", got)
	}
	for _, bad := range []string{
		"confirmed 2026-12-05 " + c,                         // no newline
		"confirmed 2026-12-05T10:00 " + c + "\n",            // finer than a day
		"confirmed 2026-12-05 " + c + " alena@x.org\n",      // something else smuggled in
		"invalidated 2026-12-05 " + c + "\n",                // no reason
		"invalidated 2026-12-05 " + c + " because\n",        // not a reason code
		"withdrawn 2026-12-05 " + c + " duplicate\n",        // reason on a withdrawal
		"signed 2026-12-05 " + c + "\n",                     // unknown kind
		"confirmed 2026-12-05 " + strings.ToUpper(c) + "\n", // two spellings of one commitment
		"confirmed 2026-12-05 abcd\n",
	} {
		if _, err := ParseLeaf([]byte(bad)); err == nil {
			t.Errorf("ParseLeaf accepted %q", bad)
		}
	}
}

func TestReceiptsAreShortRandomAndCommitLikeTheBrowser(t *testing.T) {
	t.Parallel()
	code, c := NewReceipt()
	if len(code) != 29 || strings.Count(code, "-") != 5 {
		t.Fatalf("receipt %q", code)
	}
	if again, _ := Commit(strings.ToLower(strings.ReplaceAll(code, "-", " "))); again != c {
		t.Fatal("a receipt typed back differently commits differently")
	}
	if other, _ := NewReceipt(); other == code {
		t.Fatal("two receipts alike")
	}
	// The same vector is in frontend/src/lib/tlog.test.js.
	if got, _ := Commit("ABCD-EFGH-IJKL-MNOP-QRST-UVWX"); got != "1acc9a713701a57f09dcdac0bd60585df3cf3d692a0899c4b3db73b4cdc398a6" {
		t.Fatalf("commitment %s", got)
	}
	if _, err := Commit("ABCD-EFGH"); err == nil {
		t.Fatal("a short receipt was accepted")
	}
}

// A batch puts confirmations before removals, each group in random order,
// and its hashes are the library's own tree.
func TestBatchOrdersConfirmationsFirstAndShuffles(t *testing.T) {
	t.Parallel()
	evs := make([]store.LogEvent, 0, 40)
	for i := range 20 {
		c := strings.Repeat(string(rune('a'+i%6)), 1) + strings.Repeat("0", 63)
		c = c[:62] + string(rune('a'+i/6)) + "0"
		evs = append(evs, store.LogEvent{Commitment: c, Kind: store.LogConfirmed, Day: "2026-12-05"})
		if i%4 == 0 {
			evs = append(evs, store.LogEvent{Commitment: c, Kind: store.LogWithdrawn, Day: "2026-12-05"})
		}
	}
	keys, err := testKeys()
	if err != nil {
		t.Fatal(err)
	}
	a := &Appender{Keys: keys}
	orders := map[string]bool{}
	for range 5 {
		out, err := a.build("c")(store.LogBatch{Events: append([]store.LogEvent(nil), evs...),
			ReadHashes: func([]int64) ([][]byte, error) { t.Fatal("an empty tree read a hash"); return nil, nil }})
		if err != nil {
			t.Fatal(err)
		}
		if out.Size != int64(len(evs)) || out.Counted != 20-5 {
			t.Fatalf("size %d counted %d", out.Size, out.Counted)
		}
		for i, leaf := range out.Leaves {
			if confirmed := strings.HasPrefix(leaf, "confirmed "); confirmed != (i < 20) {
				t.Fatalf("leaf %d is %q", i, leaf)
			}
		}
		orders[strings.Join(out.Leaves, "")] = true
		// The stored hashes are those x/mod's tlog stores for these records.
		hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
			hs := make([]tlog.Hash, len(idx))
			for i, x := range idx {
				copy(hs[i][:], out.Hashes[x])
			}
			return hs, nil
		})
		root, _ := tlog.TreeHash(out.Size, hr)
		p, err := tlog.ProveRecord(out.Size, 7, hr)
		if err != nil || tlog.CheckRecord(p, out.Size, root, 7, tlog.RecordHash([]byte(out.Leaves[7]))) != nil {
			t.Fatalf("record 7 not proven: %v", err)
		}
		if !strings.Contains(out.Checkpoint, "example.org/log/c\n25\n") {
			t.Fatalf("checkpoint %q", out.Checkpoint)
		}
	}
	if len(orders) < 2 {
		t.Fatal("five batches of the same leaves came out in one order")
	}
}
