package translog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
)

// Witness cosigns a campaign's log (c2sp.org/tlog-cosignature) only when
// its new checkpoint is consistent with the last one it cosigned, which it
// keeps in a state file. A partner organisation runs it in another
// country: the log cannot then show two histories without being caught.
type Witness struct {
	Log    Remote
	Signer *torchwood.CosignatureSigner
	// StatePath keeps the last cosigned checkpoint's text.
	StatePath string
}

// Once polls the log once: it cosigns and posts a new checkpoint, does
// nothing when there is none, and returns ErrFork for a rollback or a
// fork, leaving its state as it was.
func (w *Witness) Once(ctx context.Context) (cosigned bool, err error) {
	n, cp, err := w.Log.Checkpoint(ctx)
	if err != nil {
		return false, err
	}
	last, err := os.ReadFile(w.StatePath)
	switch {
	case errors.Is(err, os.ErrNotExist):
		// The first checkpoint seen is trusted on first use.
	case err != nil:
		return false, fmt.Errorf("witness state: %w", err)
	default:
		old, err := torchwood.ParseCheckpoint(string(last))
		if err != nil {
			return false, fmt.Errorf("witness state %s: %w", w.StatePath, err)
		}
		if err := w.Log.Consistent(ctx, old, cp); err != nil {
			return false, err
		}
		if old.N == cp.N && w.servedWithOurs(n) {
			return false, nil
		}
	}
	if err := writeAtomic(w.StatePath, []byte(n.Text)); err != nil {
		return false, fmt.Errorf("witness state: %w", err)
	}
	msg, err := note.Sign(n, w.Signer)
	if err != nil {
		return false, fmt.Errorf("cosign: %w", err)
	}
	if err := w.Log.Post(ctx, "cosignature", msg); err != nil {
		return false, fmt.Errorf("post cosignature: %w", err)
	}
	return true, nil
}

// Run polls every interval until ctx ends, and stops at the first fork.
func (w *Witness) Run(ctx context.Context, interval time.Duration) error {
	for {
		cosigned, err := w.Once(ctx)
		switch {
		case errors.Is(err, ErrFork):
			return err
		case err != nil:
			slog.Warn("witness: poll failed; trying again", "log", w.Log.URL, "err", err)
		case cosigned:
			slog.Info("witness: cosigned", "log", w.Log.URL)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(interval):
		}
	}
}

// servedWithOurs reports whether the log serves the checkpoint with this
// witness's cosignature already (else a post that failed is made again).
func (w *Witness) servedWithOurs(n *note.Note) bool {
	for _, sig := range n.UnverifiedSigs {
		if sig.Name == w.Signer.Name() && sig.Hash == w.Signer.KeyHash() {
			return true
		}
	}
	return false
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".witness-state-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
