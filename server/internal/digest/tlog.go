package digest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/translog"
)

// LogProof is the transparency-log checkpoint behind a digest's numbers
// (issue 15): officials can check the count themselves, and the next
// digest proves its log an extension of this one's.
type LogProof struct {
	Size       int64     `json:"size"`
	Root       string    `json:"root"` // base64, as in the checkpoint
	Counted    int64     `json:"counted"`
	SignedAt   time.Time `json:"signed_at"`
	Witnesses  []string  `json:"witnesses"`
	URL        string    `json:"url"`
	Checkpoint string    `json:"checkpoint"` // the signed, cosigned note
	// PreviousSize is the size of the checkpoint of the previous digest to
	// the region, proven a prefix of this one before sending (0: none).
	PreviousSize int64 `json:"previous_size"`
}

// ErrLogInconsistent stops a digest whose log does not extend the
// checkpoint the previous digest carried: never send numbers whose history
// changed.
var ErrLogInconsistent = errors.New("digest: the transparency log is not consistent with the previous digest's checkpoint")

// composeLog takes the campaign's latest checkpoint and checks it against
// the previous digest's, from the stored hashes.
func composeLog(ctx context.Context, st *store.Store, region string, camp store.Campaign, publicURL string, now time.Time) (*LogProof, error) {
	tree, err := st.LogTreeOf(ctx, camp.ID)
	if err != nil || tree.Size == 0 {
		return nil, err
	}
	note, witnesses, err := translog.Cosigned(ctx, st, tree)
	if err != nil {
		return nil, err
	}
	text, _, _ := strings.Cut(tree.Checkpoint, "\n\n")
	cp, err := torchwood.ParseCheckpoint(text + "\n")
	if err != nil {
		return nil, fmt.Errorf("digest: stored checkpoint: %w", err)
	}
	p := &LogProof{Size: cp.N, Root: base64.StdEncoding.EncodeToString(cp.Hash[:]), Counted: tree.Counted,
		Witnesses: witnesses, URL: publicURL + "/log/" + camp.Slug, Checkpoint: note}
	if tree.SignedAt != nil {
		p.SignedAt = *tree.SignedAt
	}
	prev, err := previousLog(ctx, st, region, camp, now)
	if err != nil || prev == nil {
		return p, err
	}
	if err := consistent(ctx, st, camp.ID, prev, cp); err != nil {
		return nil, fmt.Errorf("%w: campaign %s: %v", ErrLogInconsistent, camp.Slug, err)
	}
	p.PreviousSize = prev.Size
	return p, nil
}

func previousLog(ctx context.Context, st *store.Store, region string, camp store.Campaign, now time.Time) (*LogProof, error) {
	raw, found, err := st.PreviousDigestContent(ctx, region, camp.ID, now)
	if err != nil || !found {
		return nil, err
	}
	var c Content
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return nil, fmt.Errorf("digest: previous snapshot: %w", err)
	}
	for _, part := range c.Campaigns {
		if part.Slug == camp.Slug && part.Log != nil {
			return part.Log, nil
		}
	}
	return nil, nil
}

func consistent(ctx context.Context, st *store.Store, campaignID string, prev *LogProof, cur torchwood.Checkpoint) error {
	b, err := base64.StdEncoding.DecodeString(prev.Root)
	if err != nil || len(b) != tlog.HashSize {
		return errors.New("malformed previous root")
	}
	var old tlog.Hash
	copy(old[:], b)
	switch {
	case prev.Size > cur.N:
		return fmt.Errorf("the log shrank from %d to %d", prev.Size, cur.N)
	case prev.Size == cur.N:
		if old != cur.Hash {
			return fmt.Errorf("two trees of size %d", cur.N)
		}
		return nil
	}
	proof, err := translog.ProveConsistency(ctx, st, campaignID, cur.N, prev.Size)
	if err != nil {
		return err
	}
	return tlog.CheckTree(proof, cur.N, cur.Hash, prev.Size, old)
}

// logParams is what the email says of a campaign's checkpoint.
func logParams(camp Campaign, lang string) *mailers.DigestLog {
	if camp.Log == nil {
		return nil
	}
	l := camp.Log
	return &mailers.DigestLog{Lang: lang, Size: l.Size, Root: l.Root, Counted: l.Counted, Waiting: camp.Total - l.Counted,
		SignedAt: l.SignedAt.UTC().Format("2006-01-02 15:04 UTC"), Witnesses: strings.Join(l.Witnesses, ", "), URL: l.URL,
		Checkpoint: l.Checkpoint, PreviousSize: l.PreviousSize}
}
