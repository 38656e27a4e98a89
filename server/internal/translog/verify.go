package translog

import (
	"context"
	"fmt"
	"sort"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/tlog"
)

// Audit is what checking a whole log found.
type Audit struct {
	Checkpoint  torchwood.Checkpoint
	Tiles       int              // hash tiles checked against the checkpoint
	Confirmed   int64            // confirmation leaves
	Withdrawn   int64            // withdrawal leaves
	Invalidated map[string]int64 // invalidation leaves by reason
	Counted     int64            // confirmed minus removed
	Days        map[string]int64 // counted confirmations by day
}

// AuditLog checks a log from the outside: the checkpoint's signature,
// every hash tile against it, every entry against the tiles, every leaf's
// format, and that each removal removes a confirmation made before it,
// once. It returns the counts the leaves add up to.
func (r *Remote) AuditLog(ctx context.Context) (*Audit, error) {
	_, cp, err := r.Checkpoint(ctx)
	if err != nil {
		return nil, err
	}
	a := &Audit{Checkpoint: cp, Invalidated: map[string]int64{}, Days: map[string]int64{}}
	f, err := r.fetcher()
	if err != nil {
		return nil, err
	}
	hr := torchwood.TileHashReaderWithContext(ctx, cp.Tree, f)
	for _, t := range tlog.NewTiles(torchwood.TileHeight, 0, cp.N) {
		idx := make([]int64, t.W)
		for i := range idx {
			idx[i] = tlog.StoredHashIndex(t.L*t.H, t.N<<t.H+int64(i))
		}
		if _, err := hr.ReadHashes(idx); err != nil {
			return a, fmt.Errorf("%w: tile %s does not hash to the checkpoint: %v", ErrFork, torchwood.TilePath(t), err)
		}
		a.Tiles++
	}
	c, err := torchwood.NewClient(f)
	if err != nil {
		return a, err
	}
	state := map[string]string{} // commitment → "confirmed" or "removed"
	var i int64
	// Entries may stop before a partial tile: resume until the tree's end.
	for i < cp.N {
		before := i
		for idx, entry := range c.Entries(ctx, cp.Tree, i) {
			if idx != i {
				return a, fmt.Errorf("entry %d came as %d", i, idx)
			}
			i++
			if err := a.tally(state, idx, entry); err != nil {
				return a, err
			}
		}
		if err := c.Err(); err != nil {
			return a, fmt.Errorf("%w: entries do not match the tiles: %v", ErrFork, err)
		}
		if i == before {
			return a, fmt.Errorf("the log has %d entries for a checkpoint of size %d", i, cp.N)
		}
	}
	a.Counted = a.Confirmed - a.Withdrawn
	for _, n := range a.Invalidated {
		a.Counted -= n
	}
	return a, nil
}

// tally checks one leaf and counts it: a receipt is confirmed once, and
// removed at most once after that.
func (a *Audit) tally(state map[string]string, idx int64, entry []byte) error {
	leaf, err := ParseLeaf(entry)
	if err != nil {
		return fmt.Errorf("entry %d: %w", idx, err)
	}
	switch leaf.Kind {
	case "confirmed":
		if state[leaf.Commitment] != "" {
			return fmt.Errorf("entry %d confirms a receipt twice", idx)
		}
		state[leaf.Commitment] = "confirmed"
		a.Confirmed++
		a.Days[leaf.Day]++
	default:
		if state[leaf.Commitment] != "confirmed" {
			return fmt.Errorf("entry %d removes a receipt that does not count", idx)
		}
		state[leaf.Commitment] = "removed"
		if leaf.Kind == "withdrawn" {
			a.Withdrawn++
		} else {
			a.Invalidated[leaf.Reason]++
		}
	}
	return nil
}

// Reasons lists invalidation reasons in a stable order.
func (a *Audit) Reasons() []string {
	out := make([]string, 0, len(a.Invalidated))
	for r := range a.Invalidated {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}
