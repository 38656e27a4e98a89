package translog

import (
	"context"
	"errors"
	"fmt"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/bnp/undersigned/server/internal/store"
)

// ErrNoTile is a tile path that is malformed or beyond the log's size.
var ErrNoTile = errors.New("translog: no such tile")

// Tile returns the contents of a c2sp.org/tlog-tiles path ("tile/L/N[.p/W]"
// or "tile/entries/N[.p/W]") of a campaign's log of the given size. Every
// tile it returns is immutable: the same path always has the same bytes.
func Tile(ctx context.Context, st *store.Store, campaignID string, size int64, path string) ([]byte, error) {
	t, err := torchwood.ParseTilePath(path)
	if err != nil || t.H != torchwood.TileHeight {
		return nil, ErrNoTile
	}
	first := t.N << t.H // index of the tile's first hash at its level
	if t.L == -1 {
		if first+int64(t.W) > size {
			return nil, ErrNoTile
		}
		leaves, err := st.LogEntries(ctx, campaignID, first, first+int64(t.W))
		if err != nil {
			return nil, err
		}
		var data []byte
		for _, leaf := range leaves {
			if data, err = torchwood.AppendTileEntry(data, []byte(leaf)); err != nil {
				return nil, err
			}
		}
		return data, nil
	}
	// A hash at level 8L covers 256^L leaves.
	if t.L > 6 || (first+int64(t.W))<<(uint(t.L)*uint(t.H)) > size {
		return nil, ErrNoTile
	}
	if t.W == torchwood.TileWidth {
		data, err := st.FullLogTile(ctx, campaignID, t.L, t.N)
		if err == nil {
			return data, nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	data, err := tlog.ReadTileData(t, StoreHashReader(ctx, st, campaignID))
	if err != nil {
		return nil, fmt.Errorf("translog: read tile %s: %w", path, err)
	}
	return data, nil
}

// StoreHashReader reads a campaign's stored hashes from the database.
func StoreHashReader(ctx context.Context, st *store.Store, campaignID string) tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		raw, err := st.ReadLogHashes(ctx, campaignID, idx)
		if err != nil {
			return nil, err
		}
		out := make([]tlog.Hash, len(raw))
		for i, h := range raw {
			if len(h) != tlog.HashSize {
				return nil, fmt.Errorf("translog: stored hash %d has %d bytes", idx[i], len(h))
			}
			copy(out[i][:], h)
		}
		return out, nil
	})
}

// ProveConsistency proves that the checkpoint of size oldSize is a prefix
// of the one of size newSize, from the stored hashes.
func ProveConsistency(ctx context.Context, st *store.Store, campaignID string, newSize, oldSize int64) (tlog.TreeProof, error) {
	return tlog.ProveTree(newSize, oldSize, StoreHashReader(ctx, st, campaignID))
}
