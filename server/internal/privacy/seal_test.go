package privacy

import (
	"errors"
	"strings"
	"testing"
)

func TestSealerOpensOnlyWhereItSealed(t *testing.T) {
	k := NewKeys([]byte("0123456789abcdef0123456789abcdef"))
	s := k.Sealer("mail")
	sealed, err := s.Seal("alena@example.org", "mail_messages.recipient:1")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "alena") || !strings.HasPrefix(sealed, "v1.") {
		t.Fatalf("sealed value %q", sealed)
	}
	if got, err := s.Open(sealed, "mail_messages.recipient:1"); err != nil || got != "alena@example.org" {
		t.Fatalf("open = %q, %v", got, err)
	}
	again, _ := s.Seal("alena@example.org", "mail_messages.recipient:1")
	if again == sealed {
		t.Fatal("two seals of one value are equal: the nonce is not random")
	}
	for name, open := range map[string]func() (string, error){
		"another row":     func() (string, error) { return s.Open(sealed, "mail_messages.recipient:2") },
		"another purpose": func() (string, error) { return k.Sealer("outbox").Open(sealed, "mail_messages.recipient:1") },
		"another key": func() (string, error) {
			return NewKeys([]byte("another key, another key, 32 byt")).Sealer("mail").Open(sealed, "mail_messages.recipient:1")
		},
		"altered":   func() (string, error) { return s.Open(sealed[:len(sealed)-2]+"AA", "mail_messages.recipient:1") },
		"plaintext": func() (string, error) { return s.Open("alena@example.org", "mail_messages.recipient:1") },
	} {
		if _, err := open(); !errors.Is(err, ErrCiphertext) {
			t.Errorf("%s: %v, want ErrCiphertext", name, err)
		}
	}
}
