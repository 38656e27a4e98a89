// Package privacy holds the keyed hashes that let undersigned recognise a
// returning IP address or email address without keeping either.
package privacy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// Keys derives purpose-bound keys from the one DATA_KEY, so that a hash
// made for one purpose can never be matched against another's.
type Keys struct{ root []byte }

// NewKeys wraps the configured DATA_KEY.
func NewKeys(dataKey []byte) Keys { return Keys{root: dataKey} }

func (k Keys) derive(purpose string) []byte {
	m := hmac.New(sha256.New, k.root)
	m.Write([]byte("undersigned/" + purpose))
	return m.Sum(nil)
}

// IPHash returns a keyed hash of ip with the day's random salt (see
// store.IPSalt): the same address hashes alike within a day and unrelated
// across days, so that no hash can follow a person over time. The salt is
// random and destroyed when the day is over, so not even DATA_KEY's holder
// can match a past day's hash to an address by trying every IPv4 address.
func (k Keys) IPHash(ip string, salt []byte) string {
	daily := hmac.New(sha256.New, k.derive("ip"))
	daily.Write(salt)
	m := hmac.New(sha256.New, daily.Sum(nil))
	m.Write([]byte(ip))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// Hash returns a keyed hash of value for a named purpose (for example a
// staff login address for rate limiting).
func (k Keys) Hash(purpose, value string) string {
	m := hmac.New(sha256.New, k.derive(purpose))
	m.Write([]byte(value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// Derive returns a key for a named purpose, for other packages' MACs (the
// proof-of-work challenges, say).
func (k Keys) Derive(purpose string) []byte { return k.derive(purpose) }

// UnsubscribeToken is a contact's unsubscribe token: derived from the
// contact's id with a secret key, so every digest can carry it while only
// its hash is stored, and nobody without DATA_KEY can make one.
func (k Keys) UnsubscribeToken(contactID string) string {
	m := hmac.New(sha256.New, k.derive("unsubscribe"))
	m.Write([]byte(contactID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// updateUnsubscribePrefix marks a signer's update unsubscribe token, so
// that one unsubscribe route serves officials and signers.
const updateUnsubscribePrefix = "u1."

// UpdateUnsubscribeToken is the token of a signer's one-click unsubscribe
// from updates: the signature id with a MAC, so nothing is stored.
func (k Keys) UpdateUnsubscribeToken(signatureID string) string {
	return updateUnsubscribePrefix + signatureID + "." + k.updateMAC(signatureID)
}

// UpdateUnsubscribeSignature returns the signature id of a token made by
// UpdateUnsubscribeToken, and whether it is one.
func (k Keys) UpdateUnsubscribeSignature(token string) (string, bool) {
	rest, ok := strings.CutPrefix(token, updateUnsubscribePrefix)
	if !ok {
		return "", false
	}
	id, mac, ok := strings.Cut(rest, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(k.updateMAC(id))) {
		return "", false
	}
	return id, true
}

// IsUpdateUnsubscribeToken reports whether token has the form of a
// signer's update unsubscribe token (valid or not).
func IsUpdateUnsubscribeToken(token string) bool {
	return strings.HasPrefix(token, updateUnsubscribePrefix)
}

func (k Keys) updateMAC(id string) string {
	m := hmac.New(sha256.New, k.derive("update-unsubscribe"))
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
