package privacy

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"strings"
)

// Sealer encrypts values that must never reach the disk in plain text
// (a queued email's address and links, say) with AES-256-GCM under a key
// derived from DATA_KEY for one purpose. It is Encrypt's sibling for rows
// that are written and read often: the cipher is made once, and each value
// is bound to where it is stored (its row and column) as additional data,
// so that a sealed value copied to another row does not open there.
// A Sealer is safe for concurrent use.
type Sealer struct{ aead cipher.AEAD }

// Sealer returns the sealer for a named purpose.
func (k Keys) Sealer(purpose string) *Sealer {
	block, err := aes.NewCipher(k.derive("seal/" + purpose)) // 32 bytes: AES-256
	if err != nil {
		panic("privacy: sealer: " + err.Error()) // a 32-byte key is always valid
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic("privacy: sealer: " + err.Error())
	}
	return &Sealer{aead: aead}
}

// Seal encrypts plaintext for the place named by where. The result is
// "v1." followed by base64url of the random nonce and the sealed text.
func (s *Sealer) Seal(plaintext, where string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	sealed := s.aead.Seal(nonce, nonce, []byte(plaintext), []byte(encryptionVersion+where))
	return encryptionVersion + base64.RawURLEncoding.EncodeToString(sealed), nil
}

// Open decrypts a value Seal made for the same place with the same
// DATA_KEY; anything else gives ErrCiphertext.
func (s *Sealer) Open(ciphertext, where string) (string, error) {
	body, ok := strings.CutPrefix(ciphertext, encryptionVersion)
	if !ok {
		return "", ErrCiphertext
	}
	sealed, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || len(sealed) < s.aead.NonceSize()+s.aead.Overhead() {
		return "", ErrCiphertext
	}
	nonce, box := sealed[:s.aead.NonceSize()], sealed[s.aead.NonceSize():]
	plain, err := s.aead.Open(nil, nonce, box, []byte(encryptionVersion+where))
	if err != nil {
		return "", ErrCiphertext
	}
	return string(plain), nil
}
