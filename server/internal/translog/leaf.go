// Package translog keeps each campaign's public transparency log (issue
// 15) in the C2SP formats: tlog-tiles for the tree, tlog-checkpoint and
// signed-note for its signed heads, tlog-cosignature for witnesses. The
// Merkle tree, tiles and proofs are golang.org/x/mod/sumdb/tlog's; notes
// are golang.org/x/mod/sumdb/note's; C2SP paths, checkpoints and
// cosignatures are filippo.io/torchwood's.
//
// A leaf holds no personal data: the kind of event, the UTC day and a
// commitment to the signer's receipt, nothing else.
package translog

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bnp/undersigned/server/internal/store"
)

// Leaf is one event of a campaign's log.
type Leaf struct {
	Kind       string // store.LogConfirmed, LogWithdrawn or LogInvalidated
	Day        string // YYYY-MM-DD, UTC
	Commitment string // hex SHA-256 of the receipt (see Commit)
	Reason     string // invalidations only: one of store.InvalidationReasons
}

// Encode writes a leaf as its log entry: one line of space-separated
// fields, "kind day commitment [reason]\n".
func (l Leaf) Encode() []byte {
	s := l.Kind + " " + l.Day + " " + l.Commitment
	if l.Reason != "" {
		s += " " + l.Reason
	}
	return []byte(s + "\n")
}

var errLeaf = errors.New("translog: malformed leaf")

// ParseLeaf reads a log entry back, refusing anything Encode would not
// write: so a leaf cannot smuggle anything else into the log.
func ParseLeaf(entry []byte) (Leaf, error) {
	s, ok := strings.CutSuffix(string(entry), "\n")
	if !ok {
		return Leaf{}, errLeaf
	}
	f := strings.Split(s, " ")
	if len(f) < 3 || len(f) > 4 {
		return Leaf{}, errLeaf
	}
	l := Leaf{Kind: f[0], Day: f[1], Commitment: f[2]}
	if len(f) == 4 {
		l.Reason = f[3]
	}
	if err := l.valid(); err != nil {
		return Leaf{}, err
	}
	return l, nil
}

func (l Leaf) valid() error {
	if d, err := time.Parse(time.DateOnly, l.Day); err != nil || d.Format(time.DateOnly) != l.Day {
		return fmt.Errorf("%w: day %q", errLeaf, l.Day)
	}
	if b, err := hex.DecodeString(l.Commitment); err != nil || len(b) != sha256.Size || hex.EncodeToString(b) != l.Commitment {
		return fmt.Errorf("%w: commitment", errLeaf)
	}
	switch l.Kind {
	case store.LogConfirmed, store.LogWithdrawn:
		if l.Reason != "" {
			return fmt.Errorf("%w: reason on %s", errLeaf, l.Kind)
		}
	case store.LogInvalidated:
		if !slices.Contains(store.InvalidationReasons, l.Reason) {
			return fmt.Errorf("%w: reason %q", errLeaf, l.Reason)
		}
	default:
		return fmt.Errorf("%w: kind %q", errLeaf, l.Kind)
	}
	return nil
}

// LeafOf is the leaf of a waiting event.
func LeafOf(ev store.LogEvent) Leaf {
	return Leaf{Kind: ev.Kind, Day: ev.Day, Commitment: ev.Commitment, Reason: ev.Reason}
}

// receiptBytes is the receipt secret's size: 120 bits, 24 base32 letters.
const receiptBytes = 15

var receiptEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewReceipt returns a fresh receipt, printable as six groups of four
// letters and digits ("ABCD-EFGH-..."), and its commitment.
func NewReceipt() (code, commitment string) {
	b := make([]byte, receiptBytes)
	if _, err := rand.Read(b); err != nil {
		panic("translog: no randomness: " + err.Error())
	}
	raw := receiptEncoding.EncodeToString(b)
	groups := make([]string, 0, len(raw)/4)
	for i := 0; i < len(raw); i += 4 {
		groups = append(groups, raw[i:i+4])
	}
	code = strings.Join(groups, "-")
	c, _ := Commit(code)
	return code, c
}

// NormalizeReceipt reads a receipt as a person may type it back: any case,
// with or without dashes and spaces. It returns the 24 letters.
func NormalizeReceipt(code string) (string, error) {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		switch {
		case r == '-' || r == ' ':
		case (r >= 'A' && r <= 'Z') || (r >= '2' && r <= '7'):
			b.WriteRune(r)
		default:
			return "", errors.New("translog: a receipt has only letters, digits 2 to 7 and dashes")
		}
	}
	if b.Len() != 24 {
		return "", errors.New("translog: a receipt has 24 letters and digits")
	}
	return b.String(), nil
}

// Commit is the commitment a leaf carries for a receipt: the hex SHA-256
// of "undersigned receipt v1:" and its 24 letters. The browser computes the
// same (frontend/src/lib/tlog.js).
func Commit(code string) (string, error) {
	n, err := NormalizeReceipt(code)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte("undersigned receipt v1:" + n))
	return hex.EncodeToString(sum[:]), nil
}
