package translog

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"

	"github.com/bnp/undersigned/server/internal/store"
)

// ErrCosignature is a posted cosignature the server will not keep.
var ErrCosignature = errors.New("translog: cosignature refused")

// AcceptCosignatures checks a cosigned checkpoint a witness posts: a note
// that carries this log's own signature of one of its checkpoints and at
// least one configured witness's cosignature (c2sp.org/tlog-cosignature).
// It keeps those cosignatures and returns how many.
func AcceptCosignatures(ctx context.Context, st *store.Store, keys *Keys, campaignID, slug string, msg []byte) (int, error) {
	if len(keys.Witnesses) == 0 {
		return 0, fmt.Errorf("%w: this server has no witnesses configured (LOG_WITNESSES)", ErrCosignature)
	}
	verifiers := append([]note.Verifier{keys.Verifier}, keys.Witnesses...)
	n, err := note.Open(msg, note.VerifierList(verifiers...))
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrCosignature, err)
	}
	cp, err := torchwood.ParseCheckpoint(n.Text)
	if err != nil || cp.Origin != keys.Origin(slug) {
		return 0, fmt.Errorf("%w: not a checkpoint of this campaign's log", ErrCosignature)
	}
	logSigned := false
	var witnessed []note.Signature
	for _, sig := range n.Sigs {
		if sig.Name == keys.Verifier.Name() && sig.Hash == keys.Verifier.KeyHash() {
			logSigned = true
		} else {
			witnessed = append(witnessed, sig)
		}
	}
	if !logSigned || len(witnessed) == 0 {
		return 0, fmt.Errorf("%w: the note must carry the log's signature and a witness's cosignature", ErrCosignature)
	}
	stored, err := st.LogCheckpointAt(ctx, campaignID, cp.N)
	if errors.Is(err, store.ErrNotFound) {
		return 0, fmt.Errorf("%w: no checkpoint of size %d", ErrCosignature, cp.N)
	} else if err != nil {
		return 0, err
	}
	if text, _, _ := strings.Cut(stored.Checkpoint, "\n\n"); text+"\n" != n.Text {
		return 0, fmt.Errorf("%w: the checkpoint differs from the one this log signed at size %d", ErrCosignature, cp.N)
	}
	for _, sig := range witnessed {
		line := "— " + sig.Name + " " + sig.Base64 + "\n"
		if err := st.AddCosignature(ctx, campaignID, cp.N, sig.Name, line); err != nil {
			return 0, err
		}
	}
	return len(witnessed), nil
}

// Cosigned is a tree's signed checkpoint with the cosignatures that
// witnesses gave it, as /log/{slug}/checkpoint serves it.
func Cosigned(ctx context.Context, st *store.Store, tree store.LogTree) (string, []string, error) {
	lines, err := st.Cosignatures(ctx, tree.CampaignID, tree.Size)
	if err != nil {
		return "", nil, err
	}
	names := make([]string, 0, len(lines))
	for _, l := range lines {
		if f := strings.Fields(l); len(f) >= 2 {
			names = append(names, f[1])
		}
	}
	return tree.Checkpoint + strings.Join(lines, ""), names, nil
}
