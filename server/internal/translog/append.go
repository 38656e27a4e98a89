package translog

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/bnp/undersigned/server/internal/store"
)

// Appender appends each campaign's waiting leaves to its log and signs a
// new checkpoint. Several instances may run one: the store holds a lock
// per campaign while appending, and a second appender finds nothing left.
type Appender struct {
	Store *store.Store
	Keys  *Keys
}

// Run appends every interval until ctx ends.
func (a *Appender) Run(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if err := a.AppendAll(ctx); err != nil && !errors.Is(err, context.Canceled) {
			slog.Error("transparency log: append", "err", err)
		}
	}
}

// AppendAll appends the waiting leaves of every campaign.
func (a *Appender) AppendAll(ctx context.Context) error {
	if n, err := a.Store.BackfillLog(ctx); err != nil {
		return err
	} else if n > 0 {
		slog.Info("transparency log: confirmations from before the log queued", "leaves", n)
	}
	ids, err := a.Store.LogPendingCampaigns(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		camp, err := a.Store.CampaignByID(ctx, id)
		if err != nil {
			return err
		}
		start := time.Now()
		appended, err := a.AppendCampaign(ctx, id, camp.Slug)
		if err != nil {
			return fmt.Errorf("campaign %s: %w", camp.Slug, err)
		}
		if appended {
			tree, err := a.Store.LogTreeOf(ctx, id)
			if err != nil {
				return err
			}
			slog.Info("transparency log: batch appended", "campaign", camp.Slug, "size", tree.Size, "counted", tree.Counted, "took", time.Since(start))
		}
	}
	return nil
}

// AppendCampaign appends one campaign's waiting leaves and signs its new
// checkpoint; it reports false when nothing waited.
func (a *Appender) AppendCampaign(ctx context.Context, campaignID, slug string) (bool, error) {
	return a.Store.AppendLog(ctx, campaignID, a.build(slug))
}

// build turns a batch into leaves, hashes and a signed checkpoint.
// Confirmations come first and removals after, so that a removal never
// precedes the leaf it removes; each group is in random order, so that a
// leaf's position says nothing of when its signer signed.
func (a *Appender) build(slug string) func(store.LogBatch) (*store.LogAppend, error) {
	return func(b store.LogBatch) (*store.LogAppend, error) {
		var confirmed, removed []store.LogEvent
		for _, ev := range b.Events {
			if ev.Kind == store.LogConfirmed {
				confirmed = append(confirmed, ev)
			} else {
				removed = append(removed, ev)
			}
		}
		shuffle(confirmed)
		shuffle(removed)
		leaves := make([]string, 0, len(b.Events))
		for _, ev := range append(confirmed, removed...) {
			leaves = append(leaves, string(LeafOf(ev).Encode()))
		}
		out, err := AppendLeaves(b.Tree.Size, leaves, b.ReadHashes)
		if err != nil {
			return nil, err
		}
		out.Counted = b.Tree.Counted + int64(len(confirmed)) - int64(len(removed))
		out.Checkpoint, err = SignCheckpoint(a.Keys.Signer, a.Keys.Origin(slug), out.Size, out.root)
		if err != nil {
			return nil, err
		}
		return &out.LogAppend, nil
	}
}

type appended struct {
	store.LogAppend
	root tlog.Hash
}

// AppendLeaves computes the stored hashes of leaves appended to a tree of
// size n, and the new root. readStored reads the hashes stored before.
func AppendLeaves(n int64, leaves []string, readStored func([]int64) ([][]byte, error)) (*appended, error) {
	fresh := make(map[int64][]byte)
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		var missing []int64
		for i, x := range idx {
			if h, ok := fresh[x]; ok {
				copy(out[i][:], h)
			} else {
				missing = append(missing, x)
			}
		}
		if len(missing) == 0 {
			return out, nil
		}
		old, err := readStored(missing)
		if err != nil {
			return nil, err
		}
		j := 0
		for i, x := range idx {
			if _, ok := fresh[x]; !ok {
				copy(out[i][:], old[j])
				j++
			}
		}
		return out, nil
	})
	for i, leaf := range leaves {
		hashes, err := tlog.StoredHashes(n+int64(i), []byte(leaf), reader)
		if err != nil {
			return nil, fmt.Errorf("translog: hash leaf: %w", err)
		}
		base := tlog.StoredHashIndex(0, n+int64(i))
		for k, h := range hashes {
			fresh[base+int64(k)] = append([]byte(nil), h[:]...)
		}
	}
	size := n + int64(len(leaves))
	root, err := tlog.TreeHash(size, reader)
	if err != nil {
		return nil, fmt.Errorf("translog: tree hash: %w", err)
	}
	// The hash tiles this batch filled are kept whole: immutable, served by
	// one lookup.
	var tiles []store.LogTile
	for _, t := range tlog.NewTiles(torchwood.TileHeight, n, size) {
		if t.W != torchwood.TileWidth {
			continue
		}
		data, err := tlog.ReadTileData(t, reader)
		if err != nil {
			return nil, fmt.Errorf("translog: tile: %w", err)
		}
		tiles = append(tiles, store.LogTile{Level: t.L, N: t.N, Data: data})
	}
	return &appended{LogAppend: store.LogAppend{Leaves: leaves, Hashes: fresh, Tiles: tiles, Size: size}, root: root}, nil
}

// SignCheckpoint signs a c2sp.org/tlog-checkpoint body as a signed note.
func SignCheckpoint(signer note.Signer, origin string, size int64, root tlog.Hash) (string, error) {
	text := fmt.Sprintf("%s\n%d\n%s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]))
	msg, err := note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		return "", fmt.Errorf("translog: sign checkpoint: %w", err)
	}
	return string(msg), nil
}

// shuffle puts events in a uniformly random order (Fisher-Yates with
// crypto/rand: the order must not be predictable from the batch).
func shuffle(evs []store.LogEvent) {
	for i := len(evs) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			panic("translog: no randomness: " + err.Error())
		}
		evs[i], evs[j.Int64()] = evs[j.Int64()], evs[i]
	}
}
