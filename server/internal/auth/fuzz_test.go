package auth

import (
	"strings"
	"testing"
	"time"
)

// FuzzVerify: an access token is accepted only exactly as it was issued;
// no other spelling of it, and nothing else, passes.
func FuzzVerify(f *testing.F) {
	tokens := NewTokens([]byte(strings.Repeat("k", 40)), "https://petitions.example")
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tokens.now = func() time.Time { return now }
	issued, _, err := tokens.Issue("user-1", "session-1", "editor")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(issued)
	f.Add(issued + "=")
	f.Add(issued[:len(issued)-1] + "B")
	f.Add(strings.Replace(issued, ".", "=.", 1))
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1In0.")
	f.Add("")
	f.Fuzz(func(t *testing.T, token string) {
		c, err := tokens.Verify(token)
		if err == nil && token != issued {
			t.Fatalf("accepted %q, a token never issued (claims %+v)", token, c)
		}
		if err != nil && token == issued {
			t.Fatalf("refused the issued token: %v", err)
		}
	})
}
