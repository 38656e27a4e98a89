package privacy

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"golang.org/x/net/idna"
)

// ErrInvalidEmail is returned by CanonicalEmail for an address that is not
// a plain, deliverable-looking mailbox.
var ErrInvalidEmail = errors.New("privacy: invalid email address")

// RFC 5321 limits: the whole path (254 once the angle brackets are taken
// off), a local part and a domain.
const (
	maxEmailLen  = 254
	maxLocalLen  = 64
	maxDomainLen = 253
	maxLabelLen  = 63
)

// domainAliases maps domains that deliver to the very same mailbox as
// another domain, so that one person cannot count twice by switching
// between them.
var domainAliases = map[string]string{
	"googlemail.com": "gmail.com",
	// One Yandex login receives mail at every Yandex domain.
	"ya.ru":      "yandex.ru",
	"yandex.com": "yandex.ru",
	"yandex.by":  "yandex.ru",
	"yandex.ua":  "yandex.ru",
	"yandex.kz":  "yandex.ru",
}

// tagIgnoringProviders deliver user+anything@domain to user@domain, so the
// tag is dropped before hashing: otherwise one mailbox could sign a
// campaign many times. Only providers known to do so are listed, since
// elsewhere a plus can be a real, distinct part of the address.
// Keys are canonical domains (after domainAliases).
var tagIgnoringProviders = map[string]bool{
	"gmail.com":      true,
	"outlook.com":    true,
	"hotmail.com":    true,
	"live.com":       true,
	"icloud.com":     true,
	"me.com":         true,
	"mac.com":        true,
	"fastmail.com":   true,
	"proton.me":      true,
	"protonmail.com": true,
	"pm.me":          true,
	"yandex.ru":      true, // yandex.com, ya.ru and the rest arrive here through domainAliases
}

// CanonicalEmail validates addr and returns the form used to recognise a
// mailbox whatever way it was typed, together with that form's domain.
//
// It trims and lower-cases the address, accepts only a bare address (no
// display name, comment or quoted local part, no IP-literal domain),
// converts an internationalised domain to its ASCII (punycode) form,
// folds domains that share one mailbox (googlemail.com into gmail.com,
// the Yandex domains into yandex.ru), drops a +tag where the provider
// ignores it and the dots of a Gmail local part (and treats a hyphen as
// a dot at Yandex, which does so).
//
// The canonical form is for hashing and comparing only: mail must still
// go to the address as typed.
func CanonicalEmail(addr string) (canonical string, domain string, err error) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	if addr == "" || len(addr) > maxEmailLen {
		return "", "", ErrInvalidEmail
	}
	// net/mail accepts display names, comments and angle brackets; only
	// an input that parses back to itself is a bare address.
	parsed, err := mail.ParseAddress(addr)
	if err != nil || parsed.Name != "" || parsed.Address != addr {
		return "", "", ErrInvalidEmail
	}
	at := strings.LastIndexByte(addr, '@')
	local, domain := addr[:at], addr[at+1:]
	if !validLocal(local) {
		return "", "", ErrInvalidEmail
	}
	domain, ok := asciiDomain(domain)
	if !ok || len(local)+1+len(domain) > maxEmailLen {
		return "", "", ErrInvalidEmail
	}

	if alias, ok := domainAliases[domain]; ok {
		domain = alias
	}
	if tagIgnoringProviders[domain] {
		if plus := strings.IndexByte(local, '+'); plus >= 0 {
			local = local[:plus]
		}
	}
	switch domain {
	case "gmail.com":
		local = strings.ReplaceAll(local, ".", "")
	case "yandex.ru":
		local = strings.ReplaceAll(local, "-", ".")
	}
	// "+tag@gmail.com" or "-@yandex.ru" leave no mailbox at all, and
	// "a-.b@yandex.ru" (a..b) or "a.+x@yandex.ru" (a.) none that can exist:
	// the canonical form is itself a valid address, or the input is refused.
	if !validLocal(local) {
		return "", "", ErrInvalidEmail
	}
	return local + "@" + domain, domain, nil
}

// validLocal accepts an RFC 5322 dot-atom of ASCII characters: what
// people actually use, and what every mail server delivers to. Quoted
// local parts and non-ASCII (SMTPUTF8) mailboxes are refused because
// they are rare, often undeliverable, and an easy way to make one
// mailbox look like many.
func validLocal(local string) bool {
	if local == "" || len(local) > maxLocalLen {
		return false
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '.':
		case strings.IndexByte("!#$%&'*+/=?^_`{|}~-", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// asciiDomain returns domain in lower-case ASCII (punycode for an
// internationalised name such as a .бел address) and whether it is a
// valid host name of at least two labels. IP literals and bare IP
// addresses are refused: nobody signs from one, and they dodge the
// per-domain checks.
func asciiDomain(domain string) (string, bool) {
	if domain == "" || strings.HasPrefix(domain, "[") {
		return "", false
	}
	ascii, err := idna.Lookup.ToASCII(domain)
	if err != nil {
		return "", false
	}
	ascii = strings.ToLower(ascii)
	if len(ascii) > maxDomainLen {
		return "", false
	}
	labels := strings.Split(ascii, ".")
	if len(labels) < 2 {
		return "", false
	}
	for _, l := range labels {
		if !validLabel(l) {
			return "", false
		}
	}
	// A top-level domain is never all digits; this refuses 192.0.2.1.
	tld := labels[len(labels)-1]
	if strings.Trim(tld, "0123456789") == "" {
		return "", false
	}
	return ascii, true
}

// validLabel checks one host-name label: letters, digits and inner
// hyphens, at most 63 characters.
func validLabel(l string) bool {
	if l == "" || len(l) > maxLabelLen || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		switch c := l[i]; {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-':
		default:
			return false
		}
	}
	return true
}

// EmailHash returns the keyed hash used to find a second signature from
// the same mailbox without storing the address. canonical must come from
// CanonicalEmail, or the same mailbox typed two ways would hash apart.
func (k Keys) EmailHash(canonical string) string { return k.Hash("email", canonical) }

// DomainHash returns a keyed hash of an email domain, so that staff can
// invalidate a wave of signatures from one domain without the database
// naming small, identifying domains in plain text.
func (k Keys) DomainHash(domain string) string { return k.Hash("email-domain", domain) }

// IsCommonProvider reports whether domain is a large public mail provider,
// whose name says nothing about who a signer is. Only these domains may be
// shown to staff in plain text; any other (a small company, a family
// domain) could name the person, so staff see its DomainHash instead.
func IsCommonProvider(domain string) bool {
	return commonProviders[strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")]
}

// commonProviders are webmail services with millions of users, chosen for
// where signers of these campaigns live: Belarus and its neighbours, the
// EU and North America.
var commonProviders = setOf(
	// Global.
	"gmail.com", "googlemail.com",
	"outlook.com", "hotmail.com", "live.com", "msn.com",
	"hotmail.co.uk", "hotmail.de", "hotmail.fr", "hotmail.it", "hotmail.es",
	"live.co.uk", "live.fr", "live.de",
	"yahoo.com", "yahoo.co.uk", "yahoo.de", "yahoo.fr", "yahoo.it", "yahoo.es", "ymail.com",
	"aol.com",
	"icloud.com", "me.com", "mac.com",
	"proton.me", "protonmail.com", "pm.me",
	"tutanota.com", "tuta.io", "tuta.com",
	"fastmail.com", "zoho.com", "mail.com", "gmx.com",
	// Belarus, Russia, Ukraine, Kazakhstan and neighbours.
	"mail.ru", "inbox.ru", "list.ru", "bk.ru", "internet.ru",
	"yandex.ru", "yandex.by", "yandex.com", "yandex.ua",
	"yandex.kz", "ya.ru",
	"rambler.ru", "tut.by",
	"ukr.net", "i.ua", "meta.ua", "bigmir.net",
	"inbox.lv", "inbox.lt",
	// Poland, Germany, Austria, Czechia.
	"wp.pl", "o2.pl", "onet.pl", "op.pl", "interia.pl",
	"gazeta.pl",
	"gmx.de", "gmx.net", "gmx.at", "web.de", "t-online.de",
	"freenet.de",
	"seznam.cz",
	// France, Italy.
	"orange.fr", "free.fr", "laposte.net", "sfr.fr",
	"libero.it", "virgilio.it",
	// United States.
	"comcast.net", "verizon.net", "att.net",
)

// setOf makes a lookup set of names.
func setOf(names ...string) map[string]bool {
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[n] = true
	}
	return set
}

// encryptionVersion prefixes every ciphertext, so that a later key or
// algorithm can be introduced while old rows are still readable.
const encryptionVersion = "v1."

// ErrCiphertext is returned by Decrypt for a value it cannot open: not
// made by Encrypt, altered, or sealed under another DATA_KEY.
var ErrCiphertext = errors.New("privacy: cannot decrypt")

func (k Keys) emailAEAD() (cipher.AEAD, error) {
	block, err := aes.NewCipher(k.derive("email-encryption")) // 32 bytes: AES-256
	if err != nil {
		return nil, fmt.Errorf("privacy: email cipher: %w", err)
	}
	return cipher.NewGCM(block)
}

// Encrypt seals an email address for storage with AES-256-GCM under a key
// derived from DATA_KEY. The result is "v1." followed by base64url of the
// random 12-byte nonce and the sealed text; the version is also bound as
// additional data, so a ciphertext cannot be passed off as another
// version's. Random nonces are safe far beyond the number of addresses
// this will ever hold (the limit is about 2^32 per key).
func (k Keys) Encrypt(plaintext string) (string, error) {
	aead, err := k.emailAEAD()
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("privacy: nonce: %w", err)
	}
	sealed := aead.Seal(nonce, nonce, []byte(plaintext), []byte(encryptionVersion))
	return encryptionVersion + base64.RawURLEncoding.EncodeToString(sealed), nil
}

// Decrypt opens a value made by Encrypt with the same DATA_KEY. Any
// alteration, or another key, gives ErrCiphertext.
func (k Keys) Decrypt(ciphertext string) (string, error) {
	body, ok := strings.CutPrefix(ciphertext, encryptionVersion)
	if !ok {
		return "", ErrCiphertext
	}
	sealed, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return "", ErrCiphertext
	}
	aead, err := k.emailAEAD()
	if err != nil {
		return "", err
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return "", ErrCiphertext
	}
	nonce, box := sealed[:aead.NonceSize()], sealed[aead.NonceSize():]
	plain, err := aead.Open(nil, nonce, box, []byte(encryptionVersion))
	if err != nil {
		return "", ErrCiphertext
	}
	return string(plain), nil
}

// CanonicalDomain is the domain part CanonicalEmail gives an address at
// domain: lower case, punycode for international names, and an alias such
// as googlemail.com folded into its provider's domain. Staff searches and
// invalidations by domain use it to find what signing hashed.
func CanonicalDomain(domain string) (string, error) {
	domain = strings.TrimPrefix(strings.TrimSpace(domain), "@")
	if !strings.Contains(domain, ".") || strings.ContainsAny(domain, "@ /") {
		return "", ErrInvalidEmail
	}
	_, d, err := CanonicalEmail("x@" + domain)
	return d, err
}
