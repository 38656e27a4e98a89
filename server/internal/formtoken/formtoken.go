// Package formtoken issues and checks the signed, short-lived tokens that
// the server-rendered forms carry in a hidden field. They stand in for
// what JavaScript gives the SPA's forms: a check that a post comes from a
// page this server rendered (no cross-site form post can carry one), that
// a person had the form in front of them for a few seconds (a script that
// posts at once is refused), and that each rendered form is posted once.
package formtoken

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"time"
)

// Errors of Check.
var (
	// ErrInvalid: missing, malformed, for another form, or not ours.
	ErrInvalid = errors.New("formtoken: invalid")
	// ErrTooYoung: posted sooner after the page was rendered than a person
	// can fill the form in.
	ErrTooYoung = errors.New("formtoken: posted too soon")
	// ErrExpired: the page was rendered too long ago.
	ErrExpired = errors.New("formtoken: expired")
	// ErrReplayed: this token was posted before.
	ErrReplayed = errors.New("formtoken: already used")
)

// SpendFunc records key as used for at least ttl, across every instance,
// and reports whether this was its first use (pow.SpendFunc's shape).
type SpendFunc func(ctx context.Context, key string, ttl time.Duration) (bool, error)

// MaxAge is how long a rendered form can be posted: long enough to read a
// statement and fill a form in over a slow connection.
const MaxAge = 2 * time.Hour

const (
	macLen = 16
	rawLen = 8 + 8 + macLen // issued (unix ms), nonce, MAC
)

// Service issues and checks tokens; every instance shares the key.
type Service struct {
	key   []byte
	spend SpendFunc
	now   func() time.Time
}

// New returns a Service signing with key (at least 16 bytes) and spending
// tokens through spend.
func New(key []byte, spend SpendFunc) (*Service, error) {
	if len(key) < 16 {
		return nil, errors.New("formtoken: key shorter than 16 bytes")
	}
	if spend == nil {
		return nil, errors.New("formtoken: no spend function")
	}
	return &Service{key: key, spend: spend, now: time.Now}, nil
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Issue returns a new token for one form (purpose names the form and what
// it acts on, such as "sign:" + the campaign's slug).
func (s *Service) Issue(purpose string) string {
	raw := make([]byte, rawLen)
	binary.BigEndian.PutUint64(raw, uint64(s.now().UnixMilli()))
	if _, err := rand.Read(raw[8:16]); err != nil {
		panic(fmt.Errorf("formtoken: random: %w", err)) // crypto/rand does not fail on supported systems
	}
	copy(raw[16:], s.mac(purpose, raw[:16]))
	return base64.RawURLEncoding.EncodeToString(raw)
}

func (s *Service) mac(purpose string, head []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write(head)
	return m.Sum(nil)[:macLen]
}

// Check verifies a token posted with the form purpose: ours, for this
// form, at least minAge and at most MaxAge old, and posted for the first
// time. It returns the token's age.
func (s *Service) Check(ctx context.Context, token, purpose string, minAge time.Duration) (time.Duration, error) {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(raw) != rawLen {
		return 0, ErrInvalid
	}
	if !hmac.Equal(raw[16:], s.mac(purpose, raw[:16])) {
		return 0, ErrInvalid
	}
	ms := binary.BigEndian.Uint64(raw)
	if ms > math.MaxInt64 { // signed by us, so never; but say so to the type checker
		return 0, ErrInvalid
	}
	issued := time.UnixMilli(int64(ms))
	age := s.now().Sub(issued)
	switch {
	case age < -time.Minute: // issued "in the future": another instance's clock, but not that far
		return age, ErrInvalid
	case age > MaxAge:
		return age, ErrExpired
	case age < minAge:
		return age, ErrTooYoung
	}
	first, err := s.spend(ctx, "form:"+hex.EncodeToString(raw[16:]), MaxAge-age+time.Minute)
	if err != nil {
		return age, fmt.Errorf("formtoken: spend: %w", err)
	}
	if !first {
		return age, ErrReplayed
	}
	return age, nil
}
