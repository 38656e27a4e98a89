package privacy

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/age"
)

// sealVersion prefixes every sealed value, so that a later format can be
// told apart from this one.
const sealVersion = "s1."

// ErrSealed is returned by Opener.Open for a value that it cannot open:
// not sealed by a Coalition, altered, or sealed to recipients whose identity
// this Opener does not hold.
var ErrSealed = errors.New("privacy: cannot open sealed value")

// ErrNoRecipients refuses a Coalition without any recipient: it could seal
// nothing.
var ErrNoRecipients = errors.New("privacy: no seal recipients")

// Coalition encrypts signers' data to the coalition's public keys (age
// X25519 recipients, SEAL_RECIPIENTS). It holds no private key: whatever it
// seals, the server that runs it can never read again.
type Coalition struct {
	recipients []age.Recipient
	// Recipients is the configured list as text (age1…), for display.
	Recipients []string
}

// NewCoalition parses age X25519 recipients ("age1…"), separated by commas,
// spaces or new lines. Several recipients allow rotation: every new value
// is sealed to all of them, so that any one identity opens it.
func NewCoalition(list string) (*Coalition, error) {
	s := &Coalition{}
	var fields []string
	for _, line := range strings.Split(list, "\n") {
		line, _, _ = strings.Cut(line, "#") // a recipients file may comment who holds each key
		fields = append(fields, strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ' ' || r == '\r' || r == '\t' })...)
	}
	for _, f := range fields {
		r, err := age.ParseX25519Recipient(f)
		if err != nil {
			return nil, fmt.Errorf("privacy: seal recipient %q: %w", truncate(f, 12), err)
		}
		s.recipients = append(s.recipients, r)
		s.Recipients = append(s.Recipients, r.String())
	}
	if len(s.recipients) == 0 {
		return nil, ErrNoRecipients
	}
	return s, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// Seal encrypts plaintext to every recipient. The result is "s1." followed
// by the base64url of the binary age file.
func (s *Coalition) Seal(plaintext string) (string, error) {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, s.recipients...)
	if err != nil {
		return "", fmt.Errorf("privacy: seal: %w", err)
	}
	if _, err := io.WriteString(w, plaintext); err != nil {
		return "", fmt.Errorf("privacy: seal: %w", err)
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("privacy: seal: %w", err)
	}
	return sealVersion + base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}

// SealOptional seals *p, or gives nil for nil or empty.
func (s *Coalition) SealOptional(p *string) (*string, error) {
	if p == nil || *p == "" {
		return nil, nil
	}
	v, err := s.Seal(*p)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Opener opens sealed values with the coalition's identity. It is made
// for one operation (an audited export, an update send) from an identity
// staff paste in, and must never be stored or logged.
type Opener struct {
	identities []age.Identity
}

// ParseIdentity reads one or more age X25519 identities
// ("AGE-SECRET-KEY-1…", an age identity file with comments allowed).
func ParseIdentity(text string) (*Opener, error) {
	ids, err := age.ParseIdentities(strings.NewReader(strings.TrimSpace(text) + "\n"))
	if err != nil {
		// age's error may quote the input: never pass it on.
		return nil, errors.New("privacy: not an age identity (AGE-SECRET-KEY-1…)")
	}
	return &Opener{identities: ids}, nil
}

// Open decrypts a value sealed by a Coalition.
func (o *Opener) Open(sealed string) (string, error) {
	body, ok := strings.CutPrefix(sealed, sealVersion)
	if !ok {
		return "", ErrSealed
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return "", ErrSealed
	}
	r, err := age.Decrypt(bytes.NewReader(raw), o.identities...)
	if err != nil {
		return "", ErrSealed
	}
	plain, err := io.ReadAll(io.LimitReader(r, 1<<16))
	if err != nil {
		return "", ErrSealed
	}
	return string(plain), nil
}

// OpenOptional opens *p, or gives nil for nil.
func (o *Opener) OpenOptional(p *string) (*string, error) {
	if p == nil {
		return nil, nil
	}
	v, err := o.Open(*p)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Fits reports whether this identity opens what s seals: staff who paste
// the wrong key hear so before a send starts, not after.
func (o *Opener) Fits(s *Coalition) bool {
	probe, err := s.Seal("probe")
	if err != nil {
		return false
	}
	_, err = o.Open(probe)
	return err == nil
}

// Identity is a newly generated coalition key pair.
type Identity struct {
	Secret    string // AGE-SECRET-KEY-1…: keep offline, with the coalition
	Recipient string // age1…: SEAL_RECIPIENTS on every server
}

// NewIdentity generates an X25519 identity.
func NewIdentity() (Identity, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return Identity{}, fmt.Errorf("privacy: generate identity: %w", err)
	}
	return Identity{Secret: id.String(), Recipient: id.Recipient().String()}, nil
}

// ParseIdentityFile reads the first X25519 identity of an age identity
// file and gives it with its recipient.
func ParseIdentityFile(text string) (Identity, error) {
	ids, err := age.ParseIdentities(strings.NewReader(text))
	if err != nil {
		return Identity{}, errors.New("privacy: not an age identity file")
	}
	for _, id := range ids {
		if x, ok := id.(*age.X25519Identity); ok {
			return Identity{Secret: x.String(), Recipient: x.Recipient().String()}, nil
		}
	}
	return Identity{}, errors.New("privacy: no X25519 identity in the file")
}
