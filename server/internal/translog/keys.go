package translog

import (
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
)

// Keys signs checkpoints and knows the witnesses whose cosignatures count.
type Keys struct {
	Signer note.Signer
	// VerifierKey is the public key as a signed-note verifier key,
	// "name+hash+base64key", served at /log/key.
	VerifierKey string
	Verifier    note.Verifier
	// Witnesses are the configured witnesses' cosignature verifiers.
	Witnesses []note.Verifier
	// base is PUBLIC_URL's host and path, the start of every origin.
	base string
}

// NewKeys reads the signing key (LOG_SIGNING_KEY) and the witnesses' keys
// (LOG_WITNESSES); publicURL names the logs' origins.
func NewKeys(signingKey string, witnesses []string, publicURL *url.URL) (*Keys, error) {
	signer, err := note.NewSigner(signingKey)
	if err != nil {
		return nil, fmt.Errorf("translog: LOG_SIGNING_KEY: %w", err)
	}
	verifier, err := torchwood.NewVerifierFromSigner(signingKey)
	if err != nil {
		return nil, fmt.Errorf("translog: LOG_SIGNING_KEY: %w", err)
	}
	vkey, err := verifierKeyOf(signingKey)
	if err != nil {
		return nil, err
	}
	k := &Keys{Signer: signer, VerifierKey: vkey, Verifier: verifier,
		base: publicURL.Host + strings.TrimSuffix(publicURL.Path, "/")}
	for _, w := range witnesses {
		v, err := NewCosignatureVerifier(w)
		if err != nil {
			return nil, fmt.Errorf("translog: LOG_WITNESSES: %w", err)
		}
		k.Witnesses = append(k.Witnesses, v)
	}
	return k, nil
}

// Origin is the checkpoint origin line of a campaign's log: it names the
// site and the campaign, "host/log/slug".
func (k *Keys) Origin(slug string) string { return k.base + "/log/" + slug }

// verifierKeyOf derives "name+hash+base64(0x01||public key)" from a
// signer key "PRIVATE+KEY+name+hash+base64(0x01||seed)".
func verifierKeyOf(skey string) (string, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 {
		return "", errors.New("translog: malformed signing key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", errors.New("translog: malformed signing key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey := parts[2] + "+" + parts[3] + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, pub...))
	if _, err := note.NewVerifier(vkey); err != nil {
		return "", fmt.Errorf("translog: signing key: %w", err)
	}
	return vkey, nil
}

// publicOnly lets torchwood build a cosignature verifier from a public key
// alone: its Sign is never called.
type publicOnly ed25519.PublicKey

func (p publicOnly) Public() crypto.PublicKey { return ed25519.PublicKey(p) }
func (p publicOnly) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("translog: a verifier cannot sign")
}

// NewCosignatureVerifier reads a witness's tlog-cosignature verifier key,
// "name+hash+base64(0x04||Ed25519 public key)".
func NewCosignatureVerifier(vkey string) (note.Verifier, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return nil, errors.New("malformed witness key")
	}
	hash, err1 := strconv.ParseUint(parts[1], 16, 32)
	key, err2 := base64.StdEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || len(parts[1]) != 8 || len(key) != 1+ed25519.PublicKeySize || key[0] != 4 {
		return nil, errors.New("malformed witness key")
	}
	s, err := torchwood.NewCosignatureSigner(parts[0], publicOnly(key[1:]))
	if err != nil {
		return nil, fmt.Errorf("witness key: %w", err)
	}
	v := s.Verifier()
	if v.KeyHash() != uint32(hash) {
		return nil, errors.New("witness key: hash does not match")
	}
	return v, nil
}

// NewWitnessKey makes a witness's Ed25519 key and returns its cosigner and
// its verifier key for LOG_WITNESSES.
func NewWitnessKey(name string, key ed25519.PrivateKey) (*torchwood.CosignatureSigner, string, error) {
	s, err := torchwood.NewCosignatureSigner(name, key)
	if err != nil {
		return nil, "", err
	}
	return s, s.Verifier().String(), nil
}
