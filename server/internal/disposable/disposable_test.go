package disposable

import (
	"strings"
	"testing"
)

func TestIs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		domain string
		want   bool
	}{
		{"mailinator.com", true},
		{"guerrillamail.com", true},
		{"10minutemail.com", true},
		{"temp-mail.org", true},
		{"yopmail.com", true},
		{"trashmail.com", true},
		{"sharklasers.com", true},
		{"sub.mailinator.com", true},
		{"a.b.yopmail.fr", true},
		{"MAILINATOR.COM", true},
		{" yopmail.com. ", true},
		{"cool.fr.nf", true},
		// Parents of a listed name are not themselves disposable.
		{"fr.nf", false},
		{"com", false},
		{"gmail.com", false},
		{"mail.ru", false},
		{"simplelogin.com", false}, // alias services deliver to a real mailbox
		{"notmailinator.org", false},
		{"mailinator.com.example.org", false},
		{"xmailinator.com", false},
		{"", false},
		{".", false},
	}
	for _, tt := range tests {
		if got := Is(tt.domain); got != tt.want {
			t.Errorf("Is(%q) = %v, want %v", tt.domain, got, tt.want)
		}
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	if n := len(domains); n < 150 {
		t.Fatalf("only %d disposable domains loaded, want at least 150", n)
	}
	for d := range domains {
		if d != strings.ToLower(d) || strings.ContainsAny(d, " \t#@") || !strings.Contains(d, ".") {
			t.Errorf("malformed entry %q in domains.txt", d)
		}
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	got := parse("# comment\n\nExample.org\r\n  spaced.net  \n#hidden.com\n")
	want := []string{"example.org", "spaced.net"}
	if len(got) != len(want) {
		t.Fatalf("parse gave %v, want %v", got, want)
	}
	for _, d := range want {
		if !got[d] {
			t.Errorf("parse lost %q: %v", d, got)
		}
	}
}
