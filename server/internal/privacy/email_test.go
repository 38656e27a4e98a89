package privacy

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestCanonicalEmail(t *testing.T) {
	t.Parallel()
	long64 := strings.Repeat("a", 64)
	tests := []struct {
		in        string
		canonical string
		domain    string
	}{
		{"alena@example.org", "alena@example.org", "example.org"},
		{"  Alena.K@Example.ORG \n", "alena.k@example.org", "example.org"},
		// Gmail ignores dots and tags, and googlemail.com is the same mailbox.
		{"A.Lena.K+petition@gmail.com", "alenak@gmail.com", "gmail.com"},
		{"alena.k@googlemail.com", "alenak@gmail.com", "gmail.com"},
		// Outlook ignores tags but not dots.
		{"alena.k+x@outlook.com", "alena.k@outlook.com", "outlook.com"},
		{"a+b+c@proton.me", "a@proton.me", "proton.me"},
		// Yandex: one login across domains, a hyphen is a dot, tags ignored.
		{"ivan-petrov+bnp@ya.ru", "ivan.petrov@yandex.ru", "yandex.ru"},
		{"ivan.petrov@yandex.by", "ivan.petrov@yandex.ru", "yandex.ru"},
		// Elsewhere a plus and dots may be a distinct mailbox: kept.
		{"a.b+c@example.org", "a.b+c@example.org", "example.org"},
		{"a.b+c@mail.ru", "a.b+c@mail.ru", "mail.ru"},
		// Internationalised domains are hashed in their ASCII form.
		{"user@пошта.бел", "user@xn--80a1acn3a.xn--90ais", "xn--80a1acn3a.xn--90ais"},
		{"user@sub-1.example.co.uk", "user@sub-1.example.co.uk", "sub-1.example.co.uk"},
		{"o'brien@example.ie", "o'brien@example.ie", "example.ie"},
		{long64 + "@example.org", long64 + "@example.org", "example.org"},
	}
	for _, tt := range tests {
		c, d, err := CanonicalEmail(tt.in)
		if err != nil {
			t.Errorf("CanonicalEmail(%q): %v", tt.in, err)
			continue
		}
		if c != tt.canonical || d != tt.domain {
			t.Errorf("CanonicalEmail(%q) = %q, %q; want %q, %q", tt.in, c, d, tt.canonical, tt.domain)
		}
	}
}

func TestCanonicalEmailRejects(t *testing.T) {
	t.Parallel()
	tooLong := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." +
		strings.Repeat("c", 63) + "." + strings.Repeat("d", 63) + ".org" // 259 characters
	for _, in := range []string{
		"",
		"   ",
		"alena",
		"alena@",
		"@example.org",
		"alena@example",             // no dot
		"Alena <alena@example.org>", // display name
		"<alena@example.org>",       // angle brackets
		"alena@example.org (Alena)", // comment
		`"alena k"@example.org`,     // quoted local part
		"alena@[192.0.2.1]",         // IP literal
		"alena@192.0.2.1",           // bare IP
		"alena..k@example.org",      // empty atom
		".alena@example.org",        // leading dot
		"alena.@example.org",        // trailing dot
		"alena@-example.org",        // label starts with a hyphen
		"alena@example-.org",        // label ends with a hyphen
		"alena@exa_mple.org",        // underscore in a host name
		"alena@example..org",        // empty label
		"alena@" + strings.Repeat("x", 64) + ".org", // label over 63
		strings.Repeat("a", 65) + "@example.org",    // local part over 64
		tooLong,
		"алена@example.org", // non-ASCII local part
		"a@b@example.org",
		"alena@example.org,bob@example.org",
		"+tag@gmail.com", // nothing left once the tag is dropped
		"-@yandex.ru",
		// Found by fuzzing: canonical forms that are not addresses.
		"a-.b@yandex.ru", // a..b
		"a.-b@ya.ru",     // a..b
		"a-@yandex.by",   // a.
		"a.+x@yandex.ru", // a. once the tag is dropped
		"-a@yandex.com",  // .a
	} {
		if c, d, err := CanonicalEmail(in); !errors.Is(err, ErrInvalidEmail) {
			t.Errorf("CanonicalEmail(%q) = %q, %q, %v; want ErrInvalidEmail", in, c, d, err)
		}
	}
}

func TestEmailHash(t *testing.T) {
	t.Parallel()
	k := NewKeys([]byte("0123456789abcdef0123456789abcdef"))
	other := NewKeys([]byte("fedcba9876543210fedcba9876543210"))
	a, _, _ := CanonicalEmail("A.Lena+x@googlemail.com")
	b, _, _ := CanonicalEmail("alena@gmail.com")
	tests := []struct {
		name string
		x, y string
		same bool
	}{
		{"one mailbox typed two ways", k.EmailHash(a), k.EmailHash(b), true},
		{"different mailboxes", k.EmailHash("alena@gmail.com"), k.EmailHash("alesia@gmail.com"), false},
		{"another DATA_KEY", k.EmailHash(a), other.EmailHash(a), false},
		{"email and domain purposes differ", k.EmailHash("gmail.com"), k.DomainHash("gmail.com"), false},
		{"email and generic hash differ", k.EmailHash(a), k.Hash("login", a), false},
		{"domain hash is stable", k.DomainHash("example.org"), k.DomainHash("example.org"), true},
	}
	for _, tt := range tests {
		if (tt.x == tt.y) != tt.same {
			t.Errorf("%s: %q vs %q, want same=%v", tt.name, tt.x, tt.y, tt.same)
		}
		if tt.x == "" || strings.Contains(tt.x, "@") {
			t.Errorf("%s: hash %q looks wrong", tt.name, tt.x)
		}
	}
}

func TestIsCommonProvider(t *testing.T) {
	t.Parallel()
	tests := []struct {
		domain string
		want   bool
	}{
		{"gmail.com", true},
		{"GMail.com", true},
		{"mail.ru", true},
		{"yandex.by", true},
		{"tut.by", true},
		{"ukr.net", true},
		{"outlook.com", true},
		{"wp.pl", true},
		{"example.org", false},
		{"petrov-family.by", false},
		{"mail.example.com", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsCommonProvider(tt.domain); got != tt.want {
			t.Errorf("IsCommonProvider(%q) = %v, want %v", tt.domain, got, tt.want)
		}
	}
	if n := len(commonProviders); n < 60 {
		t.Errorf("only %d common providers, want about 60 or more", n)
	}
}

func TestEncryptRoundTrip(t *testing.T) {
	t.Parallel()
	k := NewKeys([]byte("0123456789abcdef0123456789abcdef"))
	for _, plain := range []string{"alena@example.org", "", "ivan@пошта.бел", strings.Repeat("x", 300)} {
		ct, err := k.Encrypt(plain)
		if err != nil {
			t.Fatalf("Encrypt(%q): %v", plain, err)
		}
		if !strings.HasPrefix(ct, "v1.") {
			t.Errorf("ciphertext %q lacks the version prefix", ct)
		}
		if plain != "" && strings.Contains(ct, plain) {
			t.Errorf("ciphertext %q contains the plaintext", ct)
		}
		got, err := k.Decrypt(ct)
		if err != nil || got != plain {
			t.Errorf("Decrypt(Encrypt(%q)) = %q, %v", plain, got, err)
		}
	}
}

func TestEncryptIsRandomised(t *testing.T) {
	t.Parallel()
	k := NewKeys([]byte("0123456789abcdef0123456789abcdef"))
	a, _ := k.Encrypt("alena@example.org")
	b, _ := k.Encrypt("alena@example.org")
	if a == b {
		t.Fatalf("two encryptions of one address are equal: %q", a)
	}
}

func TestDecryptRefuses(t *testing.T) {
	t.Parallel()
	k := NewKeys([]byte("0123456789abcdef0123456789abcdef"))
	other := NewKeys([]byte("fedcba9876543210fedcba9876543210"))
	ct, err := k.Encrypt("alena@example.org")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(ct, "v1."))
	flip := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 1
		return "v1." + base64.RawURLEncoding.EncodeToString(b)
	}
	tests := []struct {
		name string
		keys Keys
		in   string
	}{
		{"wrong key", other, ct},
		{"nonce altered", k, flip(0)},
		{"ciphertext altered", k, flip(14)},
		{"tag altered", k, flip(len(raw) - 1)},
		{"truncated", k, ct[:len(ct)-4]},
		{"too short", k, "v1." + base64.RawURLEncoding.EncodeToString(raw[:20])},
		{"no version", k, strings.TrimPrefix(ct, "v1.")},
		{"unknown version", k, "v2." + strings.TrimPrefix(ct, "v1.")},
		{"not base64", k, "v1.***"},
		{"empty", k, ""},
	}
	for _, tt := range tests {
		if got, err := tt.keys.Decrypt(tt.in); !errors.Is(err, ErrCiphertext) {
			t.Errorf("%s: Decrypt = %q, %v; want ErrCiphertext", tt.name, got, err)
		}
	}
}
