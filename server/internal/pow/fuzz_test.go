package pow

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// FuzzVerify: whatever a client submits, Verify accepts only a solution of
// a challenge this server signed, and only once.
func FuzzVerify(f *testing.F) {
	s, _, _ := newTestService(f)
	payload, _ := solve(f, s)
	f.Add(payload)
	f.Add("")
	f.Add(base64.StdEncoding.EncodeToString([]byte(`{"algorithm":"SHA-1","challenge":"","number":0,"salt":"","signature":""}`)))
	f.Add(base64.StdEncoding.EncodeToString([]byte(`{"algorithm":"SHA-256","number":1e400}`)))
	f.Add(payload[:len(payload)-2] + "==")
	f.Fuzz(func(t *testing.T, p string) {
		err := s.Verify(context.Background(), p)
		if err == nil {
			// (Each fuzzing worker has a challenge of its own, all signed with
			// testKey: the library checks that signature, this checks the rest.)
			if alg, _ := decode(t, strings.TrimSpace(p))["algorithm"].(string); alg != "SHA-256" {
				t.Fatalf("accepted a payload of algorithm %q", alg)
			}
			if again := s.Verify(context.Background(), p); !errors.Is(again, ErrReplayed) {
				t.Fatalf("accepted the same payload twice: %v", again)
			}
			return
		}
		if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrMissing) && !errors.Is(err, ErrReplayed) && !errors.Is(err, ErrExpired) {
			t.Fatalf("unexpected error kind: %v", err)
		}
	})
}
