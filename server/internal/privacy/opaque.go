package privacy

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// Seal makes an opaque, tamper-proof token of value for a named purpose
// (a page cursor, say): AES-256-GCM under a key derived for that purpose,
// base64url. A token made for one purpose does not open for another, and
// nothing of value can be read from it.
func (k Keys) Seal(purpose, value string) (string, error) {
	aead, err := k.sealAEAD(purpose)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("privacy: nonce: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(value), []byte(purpose))), nil
}

// Open returns the value of a token made by Seal for the same purpose, or
// ErrCiphertext.
func (k Keys) Open(purpose, token string) (string, error) {
	sealed, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil {
		return "", ErrCiphertext
	}
	aead, err := k.sealAEAD(purpose)
	if err != nil {
		return "", err
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return "", ErrCiphertext
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(purpose))
	if err != nil {
		return "", ErrCiphertext
	}
	return string(plain), nil
}

func (k Keys) sealAEAD(purpose string) (cipher.AEAD, error) {
	block, err := aes.NewCipher(k.derive("seal/" + purpose))
	if err != nil {
		return nil, fmt.Errorf("privacy: seal cipher: %w", err)
	}
	return cipher.NewGCM(block)
}
