// Package pow is the self-hosted proof of work (ALTCHA) that stands in for
// a third-party captcha: a browser must spend a second or so of hashing
// before the server accepts a signature or an endorsement, which costs a
// person nothing and a bot sending thousands a great deal.
package pow

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	altcha "github.com/altcha-org/altcha-lib-go"
)

// DefaultMaxNumber is the upper bound of the secret number a browser must
// find. The widget tries numbers from 0 upwards, so it hashes
// DefaultMaxNumber/2 = 100,000 times on average and 200,000 at worst. A
// cheap phone manages roughly 100,000–300,000 SHA-256 a second in the
// browser, so a person waits about 0.3–1 s on average and 2 s at worst
// (the widget shows its spinner for at least 0.5 s anyway), while a bot
// pays the same for every one of its thousands of submissions.
const DefaultMaxNumber int64 = 200_000

// DefaultTTL is how long a challenge stays solvable. The widget may solve
// it when the form opens, and a person may then take a while to type a
// name and read the consent text, over a slow Tor circuit too.
const DefaultTTL = 20 * time.Minute

// spendSlack keeps a spent challenge on record a little past its expiry,
// so that an instance whose clock runs behind cannot accept it again
// after the record is gone.
const spendSlack = time.Minute

// maxPayloadLen bounds what Verify will decode; a real payload is about
// 350 characters.
const maxPayloadLen = 2048

// Errors returned by Verify, for the API to turn into a validation error.
var (
	// ErrMissing means no proof of work was submitted.
	ErrMissing = errors.New("pow: missing")
	// ErrInvalid means the payload is malformed, unsolved, or was not
	// issued by this server.
	ErrInvalid = errors.New("pow: invalid")
	// ErrExpired means a genuine challenge was solved too late; the widget
	// fetches a new one.
	ErrExpired = errors.New("pow: expired")
	// ErrReplayed means this solution was already used once.
	ErrReplayed = errors.New("pow: already used")
)

// SpendFunc records key as used for at least ttl, across every instance,
// and reports whether this was its first use.
type SpendFunc func(ctx context.Context, key string, ttl time.Duration) (firstUse bool, err error)

// Challenge is what GET /api/v1/pow answers: the ALTCHA challenge object
// the widget fetches from its challenge URL. The salt carries the expiry
// ("<hex>?expires=<unix seconds>&"), covered by the signature.
type Challenge struct {
	Algorithm string `json:"algorithm"`
	Challenge string `json:"challenge"`
	MaxNumber int64  `json:"maxnumber"`
	Salt      string `json:"salt"`
	Signature string `json:"signature"`
}

// Service issues and checks challenges. Challenges are stateless (signed
// with the HMAC key), so any instance can check another's; only spent
// solutions are recorded, through SpendFunc.
type Service struct {
	key       string
	enabled   bool
	maxNumber int64
	ttl       time.Duration
	spend     SpendFunc
	now       func() time.Time // a clock hook for tests
}

// New returns a Service signing challenges with hmacKey (at least 16
// bytes; every instance must share it). When enabled is false (POW=off)
// Verify accepts anything. maxNumber and ttl fall back to
// DefaultMaxNumber and DefaultTTL when zero or negative. spend is called
// once per accepted solution, so that it can be used only once.
func New(hmacKey []byte, enabled bool, maxNumber int64, ttl time.Duration, spend SpendFunc) (*Service, error) {
	if enabled && len(hmacKey) < 16 {
		return nil, errors.New("pow: HMAC key shorter than 16 bytes")
	}
	if enabled && spend == nil {
		return nil, errors.New("pow: no spend function")
	}
	if maxNumber <= 0 {
		maxNumber = DefaultMaxNumber
	}
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	return &Service{
		key:       string(hmacKey),
		enabled:   enabled,
		maxNumber: maxNumber,
		ttl:       ttl,
		spend:     spend,
		now:       time.Now,
	}, nil
}

// Challenge returns a new challenge (a Challenge value) for the widget.
// It is issued even when the check is disabled, so that the page works
// the same either way.
func (s *Service) Challenge() (any, error) {
	expires := s.now().Add(s.ttl)
	c, err := altcha.CreateChallenge(altcha.ChallengeOptions{
		Algorithm: altcha.SHA256,
		MaxNumber: s.maxNumber,
		HMACKey:   s.key,
		Expires:   &expires,
	})
	if err != nil {
		return nil, fmt.Errorf("pow: create challenge: %w", err)
	}
	return Challenge{
		Algorithm: c.Algorithm,
		Challenge: c.Challenge,
		MaxNumber: c.MaxNumber,
		Salt:      c.Salt,
		Signature: c.Signature,
	}, nil
}

// Verify checks the base64 payload the widget submits (the value of its
// hidden "altcha" field): that it solves a challenge this server signed,
// that the challenge has not expired, and that it is used for the first
// time. With the check disabled it returns nil for anything.
func (s *Service) Verify(ctx context.Context, payload string) error {
	if !s.enabled {
		return nil
	}
	payload = strings.TrimSpace(payload)
	if payload == "" {
		return ErrMissing
	}
	if len(payload) > maxPayloadLen {
		return ErrInvalid
	}
	// Parsed here rather than by the library, which reports an expired
	// challenge as merely unsolved; the person should hear which it was.
	raw, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		return ErrInvalid
	}
	var p altcha.Payload
	if err := json.Unmarshal(raw, &p); err != nil {
		return ErrInvalid
	}
	// The library would check a payload claiming SHA-1 with HMAC-SHA-1;
	// only what this server issues is accepted.
	if p.Algorithm != string(altcha.SHA256) {
		return ErrInvalid
	}
	ok, err := altcha.VerifySolutionSafe(p, s.key, false)
	if err != nil || !ok {
		return ErrInvalid
	}
	// The expiry is trustworthy only now: it is part of the signed salt.
	exp, err := strconv.ParseInt(altcha.ExtractParams(p).Get("expires"), 10, 64)
	if err != nil {
		return ErrInvalid // every challenge issued here carries one
	}
	expires := time.Unix(exp, 0)
	now := s.now()
	if now.After(expires) {
		return ErrExpired
	}
	first, err := s.spend(ctx, p.Signature, expires.Sub(now)+spendSlack)
	if err != nil {
		return fmt.Errorf("pow: spend: %w", err)
	}
	if !first {
		return ErrReplayed
	}
	return nil
}
