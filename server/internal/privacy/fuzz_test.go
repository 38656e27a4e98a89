package privacy

import (
	"net/mail"
	"testing"
)

// FuzzCanonicalEmail: the canonical form is itself a valid address that
// canonicalises to itself, so that one mailbox has one hash however often
// the form is applied.
func FuzzCanonicalEmail(f *testing.F) {
	for _, s := range []string{"alena@example.org", "A.Lena+x@GoogleMail.com", "a-.b@yandex.ru", "a.-b@ya.ru",
		"-a@yandex.com", "alena@пример.бел", "x@xn--e1afmkfd.xn--90ais", "a+@gmail.com", `"a"@b.org`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		c, domain, err := CanonicalEmail(addr)
		if err != nil {
			return
		}
		if a, perr := mail.ParseAddress(c); perr != nil || a.Address != c {
			t.Fatalf("%q → %q, which is not a bare address (%v)", addr, c, perr)
		}
		again, domain2, err := CanonicalEmail(c)
		if err != nil || again != c || domain2 != domain {
			t.Fatalf("%q → %q → %q, %v: not stable", addr, c, again, err)
		}
	})
}
