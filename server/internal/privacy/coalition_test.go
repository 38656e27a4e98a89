package privacy_test

import (
	"strings"
	"testing"

	"github.com/bnp/undersigned/server/internal/privacy"
)

func TestSealOpensOnlyWithAnIdentityOfItsRecipients(t *testing.T) {
	t.Parallel()
	a, _ := privacy.NewIdentity()
	b, _ := privacy.NewIdentity()
	other, _ := privacy.NewIdentity()
	s, err := privacy.NewCoalition(a.Recipient + ",\n" + b.Recipient)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.Seal("alena@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "alena") || !strings.HasPrefix(sealed, "s1.") {
		t.Fatalf("sealed = %q", sealed)
	}
	for _, id := range []privacy.Identity{a, b} {
		o, err := privacy.ParseIdentity(id.Secret)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := o.Open(sealed); err != nil || got != "alena@example.org" {
			t.Errorf("Open = %q, %v", got, err)
		}
		if !o.Fits(s) {
			t.Error("Fits = false for a recipient's identity")
		}
	}
	o, _ := privacy.ParseIdentity(other.Secret)
	if _, err := o.Open(sealed); err == nil {
		t.Error("another identity opened it")
	}
	if o.Fits(s) {
		t.Error("Fits = true for a stranger's identity")
	}
	if _, err := o.Open(sealed[:len(sealed)-2]); err == nil {
		t.Error("a truncated value opened")
	}
}

func TestCoalitionAndIdentityRefuseGarbageWithoutEchoingIt(t *testing.T) {
	t.Parallel()
	if _, err := privacy.NewCoalition(""); err == nil {
		t.Error("empty recipients accepted")
	}
	if _, err := privacy.NewCoalition("age1notakey"); err == nil {
		t.Error("bad recipient accepted")
	}
	_, err := privacy.ParseIdentity("AGE-SECRET-KEY-1NOTVALIDATALLSECRETSTUFF")
	if err == nil || strings.Contains(err.Error(), "SECRETSTUFF") {
		t.Errorf("ParseIdentity error = %v", err)
	}
}
