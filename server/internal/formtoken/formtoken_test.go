package formtoken

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// alphabet is base64url's, in the order of the values its letters stand for.
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func newService(t *testing.T) (*Service, *time.Time) {
	t.Helper()
	spent := map[string]bool{}
	var mu sync.Mutex
	s, err := New([]byte("0123456789abcdef0123"), func(_ context.Context, key string, _ time.Duration) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		if spent[key] {
			return false, nil
		}
		spent[key] = true
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	return s, &now
}

func TestCheck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, now := newService(t)
	tok := s.Issue("sign:demo")

	if _, err := s.Check(ctx, tok, "sign:demo", 3*time.Second); !errors.Is(err, ErrTooYoung) {
		t.Fatalf("at once: %v, want ErrTooYoung", err)
	}
	*now = now.Add(4 * time.Second)
	if _, err := s.Check(ctx, tok, "sign:other", 3*time.Second); !errors.Is(err, ErrInvalid) {
		t.Fatalf("another form: %v, want ErrInvalid", err)
	}
	if age, err := s.Check(ctx, tok, "sign:demo", 3*time.Second); err != nil || age != 4*time.Second {
		t.Fatalf("after 4 s: %v, %v", age, err)
	}
	if _, err := s.Check(ctx, tok, "sign:demo", 3*time.Second); !errors.Is(err, ErrReplayed) {
		t.Fatalf("twice: %v, want ErrReplayed", err)
	}
	old := s.Issue("confirm")
	*now = now.Add(MaxAge + time.Second)
	if _, err := s.Check(ctx, old, "confirm", 0); !errors.Is(err, ErrExpired) {
		t.Fatalf("old: %v, want ErrExpired", err)
	}
	// One character changed in the middle, where all its bits are the
	// token's; and the same token spelt with a nonzero unused bit at its
	// end, which strict decoding refuses.
	mid, swap := len(tok)/2, byte('A')
	if tok[mid] == swap {
		swap = 'B'
	}
	last := strings.IndexByte(alphabet, tok[len(tok)-1])
	respelt := tok[:len(tok)-1] + string(alphabet[last|1])
	for _, bad := range []string{"", "x", tok[:mid] + string(swap) + tok[mid+1:], respelt, "!!!!"} {
		if _, err := s.Check(ctx, bad, "sign:demo", 0); !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: %v, want ErrInvalid", bad, err)
		}
	}
	other, _ := newService(t)
	other.key = []byte("another key, another server")
	if _, err := s.Check(ctx, other.Issue("confirm"), "confirm", 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("another key's token: %v, want ErrInvalid", err)
	}
}
