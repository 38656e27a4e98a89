package auth

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// AccessTTL is the lifetime of an access token.
const AccessTTL = 15 * time.Minute

const audience = "undersigned-staff"

// Claims are what an access token says: whose it is and of which session.
type Claims struct {
	SessionID string `json:"sid"`
	Role      string `json:"role"`
	jwt.RegisteredClaims
}

// Tokens issues and verifies staff access tokens.
type Tokens struct {
	secret []byte
	issuer string
	now    func() time.Time
}

// NewTokens returns a Tokens signing with secret; issuer is the public URL.
func NewTokens(secret []byte, issuer string) *Tokens {
	return &Tokens{secret: secret, issuer: issuer, now: time.Now}
}

// Issue returns a signed access token for a user's session and its expiry.
func (t *Tokens) Issue(userID, sessionID, role string) (string, time.Time, error) {
	now := t.now()
	exp := now.Add(AccessTTL)
	claims := Claims{
		SessionID: sessionID,
		Role:      role,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   userID,
			Issuer:    t.issuer,
			Audience:  jwt.ClaimStrings{audience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.secret)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: sign token: %w", err)
	}
	return s, exp, nil
}

// ErrInvalidToken covers every way an access token can be unacceptable.
var ErrInvalidToken = errors.New("invalid access token")

// Verify checks the signature (HS256 only: "none" and every other algorithm
// are refused), expiry, issue time, issuer and audience.
func (t *Tokens) Verify(token string) (Claims, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return t.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(t.issuer),
		jwt.WithAudience(audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(t.now),
		// One spelling per token: lenient base64 would accept the unused
		// bits of the last character in several ways.
		jwt.WithStrictDecoding(),
	)
	if err != nil || c.Subject == "" || c.SessionID == "" {
		return Claims{}, ErrInvalidToken
	}
	return c, nil
}
