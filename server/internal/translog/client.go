package translog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// ErrFork is a log that rewrote or rolled back history: its new checkpoint
// is not consistent with one already seen, or its tiles do not prove it.
var ErrFork = errors.New("translog: FORK OR ROLLBACK: the log's history changed")

// Remote is a campaign's log read over HTTP, as any outside party reads
// it: a witness, `undersigned verify`, a journalist.
type Remote struct {
	URL  string // https://host/log/slug
	Key  note.Verifier
	HTTP *http.Client
}

func (r *Remote) client() *http.Client {
	if r.HTTP != nil {
		return r.HTTP
	}
	return &http.Client{Timeout: 30 * time.Second}
}

func (r *Remote) fetcher() (*torchwood.TileFetcher, error) {
	return torchwood.NewTileFetcher(strings.TrimSuffix(r.URL, "/")+"/", torchwood.WithHTTPClient(r.client()),
		torchwood.WithUserAgent("undersigned"))
}

// Checkpoint fetches and opens the latest checkpoint, checking the log's
// signature; cosignatures by unknown keys are kept in the note unverified.
func (r *Remote) Checkpoint(ctx context.Context) (*note.Note, torchwood.Checkpoint, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(r.URL, "/")+"/checkpoint", nil)
	if err != nil {
		return nil, torchwood.Checkpoint{}, err
	}
	res, err := r.client().Do(req)
	if err != nil {
		return nil, torchwood.Checkpoint{}, fmt.Errorf("fetch checkpoint: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil || res.StatusCode != http.StatusOK {
		return nil, torchwood.Checkpoint{}, fmt.Errorf("fetch checkpoint: status %d %v", res.StatusCode, err)
	}
	return OpenCheckpoint(body, r.Key)
}

// OpenCheckpoint checks a signed checkpoint with the log's key.
func OpenCheckpoint(msg []byte, key note.Verifier) (*note.Note, torchwood.Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(key))
	if err != nil {
		return nil, torchwood.Checkpoint{}, fmt.Errorf("checkpoint signature: %w", err)
	}
	cp, err := torchwood.ParseCheckpoint(n.Text)
	if err != nil {
		return nil, torchwood.Checkpoint{}, err
	}
	return n, cp, nil
}

// Consistent checks, from the log's tiles, that old is a prefix of cur.
// Any failure, a bad proof or tiles that do not hash to cur, is ErrFork.
func (r *Remote) Consistent(ctx context.Context, old, cur torchwood.Checkpoint) error {
	if old.Origin != cur.Origin {
		return fmt.Errorf("%w: origin %q became %q", ErrFork, old.Origin, cur.Origin)
	}
	switch {
	case cur.N < old.N:
		return fmt.Errorf("%w: rolled back from size %d to %d", ErrFork, old.N, cur.N)
	case cur.N == old.N:
		if cur.Hash != old.Hash {
			return fmt.Errorf("%w: two different trees of size %d", ErrFork, cur.N)
		}
		return nil
	}
	f, err := r.fetcher()
	if err != nil {
		return err
	}
	proof, err := tlog.ProveTree(cur.N, old.N, torchwood.TileHashReaderWithContext(ctx, cur.Tree, f))
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%w: the tiles of size %d do not prove it: %v", ErrFork, cur.N, err)
	}
	if err := tlog.CheckTree(proof, cur.N, cur.Hash, old.N, old.Hash); err != nil {
		return fmt.Errorf("%w: size %d is not consistent with size %d: %v", ErrFork, cur.N, old.N, err)
	}
	return nil
}

// Post sends a body to a path under the log's URL and expects 200.
func (r *Remote) Post(ctx context.Context, path string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(r.URL, "/")+"/"+path, strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	res, err := r.client().Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: status %d: %s", path, res.StatusCode, answer)
	}
	return nil
}
