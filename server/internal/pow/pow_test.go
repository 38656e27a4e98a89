package pow

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	altcha "github.com/altcha-org/altcha-lib-go"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

// memorySpend stands in for the database: a set of spent keys.
type memorySpend struct {
	mu   sync.Mutex
	keys map[string]time.Duration
	err  error
}

func (m *memorySpend) spend(_ context.Context, key string, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return false, m.err
	}
	if _, used := m.keys[key]; used {
		return false, nil
	}
	if m.keys == nil {
		m.keys = map[string]time.Duration{}
	}
	m.keys[key] = ttl
	return true, nil
}

// newTestService returns an enabled service with a small maxNumber, so
// that the tests solve quickly, and a fixed clock the test can move.
func newTestService(t testing.TB) (*Service, *memorySpend, *time.Time) {
	t.Helper()
	m := &memorySpend{}
	s, err := New(testKey, true, 2000, 10*time.Minute, m.spend)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	return s, m, &now
}

// solve does what the widget does: it fetches the challenge as JSON and
// tries numbers from 0 until SHA-256(salt + number) matches, then submits
// base64 of the JSON payload (as btoa does), "took" included.
func solve(t testing.TB, s *Service) (payload string, c Challenge) {
	t.Helper()
	v, err := s.Challenge()
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	for n := int64(0); n <= c.MaxNumber; n++ {
		sum := sha256.Sum256([]byte(c.Salt + strconv.FormatInt(n, 10)))
		if hex.EncodeToString(sum[:]) == c.Challenge {
			return encode(t, map[string]any{
				"algorithm": c.Algorithm, "challenge": c.Challenge, "number": n,
				"salt": c.Salt, "signature": c.Signature, "took": 42,
			}), c
		}
	}
	t.Fatalf("no solution up to %d", c.MaxNumber)
	return "", c
}

func encode(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func decode(t testing.TB, payload string) map[string]any {
	t.Helper()
	b, _ := base64.StdEncoding.DecodeString(payload)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestChallengeShape(t *testing.T) {
	t.Parallel()
	s, _, now := newTestService(t)
	v, err := s.Challenge()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(v)
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"algorithm", "challenge", "maxnumber", "salt", "signature"} {
		if _, ok := m[k]; !ok {
			t.Errorf("challenge JSON %s lacks %q", body, k)
		}
	}
	if m["algorithm"] != "SHA-256" || m["maxnumber"] != float64(2000) {
		t.Errorf("challenge JSON %s: want SHA-256 and maxnumber 2000", body)
	}
	wantExpiry := "?expires=" + strconv.FormatInt(now.Add(10*time.Minute).Unix(), 10) + "&"
	if salt, _ := m["salt"].(string); !strings.HasSuffix(salt, wantExpiry) {
		t.Errorf("salt %q does not end with %q", salt, wantExpiry)
	}
	w, _ := s.Challenge()
	if w.(Challenge).Signature == v.(Challenge).Signature {
		t.Error("two challenges are identical")
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	s, err := New(testKey, true, 0, 0, (&memorySpend{}).spend)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := s.Challenge()
	if got := v.(Challenge).MaxNumber; got != DefaultMaxNumber {
		t.Errorf("maxnumber = %d, want DefaultMaxNumber %d", got, DefaultMaxNumber)
	}
	if s.ttl != DefaultTTL {
		t.Errorf("ttl = %v, want DefaultTTL", s.ttl)
	}
}

func TestNewRefuses(t *testing.T) {
	t.Parallel()
	spend := (&memorySpend{}).spend
	tests := []struct {
		name  string
		key   []byte
		spend SpendFunc
	}{
		{"short key", []byte("short"), spend},
		{"no key", nil, spend},
		{"no spend function", testKey, nil},
	}
	for _, tt := range tests {
		if _, err := New(tt.key, true, 0, 0, tt.spend); err == nil {
			t.Errorf("%s: New accepted it", tt.name)
		}
	}
	if _, err := New(nil, false, 0, 0, nil); err != nil {
		t.Errorf("disabled service with no key: %v", err)
	}
}

func TestVerifyAcceptsOnceThenReplayed(t *testing.T) {
	t.Parallel()
	s, m, _ := newTestService(t)
	payload, c := solve(t, s)
	if err := s.Verify(context.Background(), payload); err != nil {
		t.Fatalf("first use: %v", err)
	}
	ttl, spent := m.keys[c.Signature]
	if !spent {
		t.Fatalf("spend was not called with the signature; spent %v", m.keys)
	}
	// The record must outlive the challenge, whose expiry is 10 minutes out.
	if ttl < 10*time.Minute || ttl > 10*time.Minute+2*spendSlack {
		t.Errorf("spend ttl = %v, want a little over 10m", ttl)
	}
	if err := s.Verify(context.Background(), payload); !errors.Is(err, ErrReplayed) {
		t.Fatalf("second use: %v, want ErrReplayed", err)
	}
	// Another instance, same key and shared spend store: still replayed.
	other, _ := New(testKey, true, 2000, 10*time.Minute, m.spend)
	other.now = s.now
	if err := other.Verify(context.Background(), payload); !errors.Is(err, ErrReplayed) {
		t.Fatalf("use on another instance: %v, want ErrReplayed", err)
	}
}

func TestVerifyRefuses(t *testing.T) {
	t.Parallel()
	s, _, _ := newTestService(t)
	good, c := solve(t, s)
	fields := decode(t, good)
	with := func(key string, value any) string {
		m := map[string]any{}
		for k, v := range fields {
			m[k] = v
		}
		m[key] = value
		return encode(t, m)
	}
	n := int64(fields["number"].(float64))

	// A challenge signed with the same key but the library's SHA-1: only
	// what this server issues may pass.
	sha1c, err := altcha.CreateChallenge(altcha.ChallengeOptions{
		Algorithm: altcha.SHA1, HMACKey: string(testKey), Number: &n, Salt: "abcdef",
		Expires: ptr(time.Date(2025, 9, 1, 12, 5, 0, 0, time.UTC)),
	})
	if err != nil {
		t.Fatal(err)
	}
	sha1Payload := encode(t, map[string]any{
		"algorithm": sha1c.Algorithm, "challenge": sha1c.Challenge, "number": n,
		"salt": sha1c.Salt, "signature": sha1c.Signature,
	})
	// A correctly solved challenge signed with another key.
	foreign, _ := New([]byte("another key, 32 bytes long......"), true, 2000, time.Minute, s.spend)
	foreign.now = s.now
	foreignPayload, _ := solve(t, foreign)
	// A genuine challenge without an expiry (never issued here).
	noExp, _ := altcha.CreateChallenge(altcha.ChallengeOptions{
		Algorithm: altcha.SHA256, HMACKey: string(testKey), Number: &n, Salt: "abcdef",
	})
	noExpPayload := encode(t, map[string]any{
		"algorithm": noExp.Algorithm, "challenge": noExp.Challenge, "number": n,
		"salt": noExp.Salt, "signature": noExp.Signature,
	})
	laterSalt := strings.Replace(c.Salt, "expires=", "expires=9", 1)

	tests := []struct {
		name    string
		payload string
		want    error
	}{
		{"empty", "", ErrMissing},
		{"blank", "  \n", ErrMissing},
		{"not base64", "%%%not-base64%%%", ErrInvalid},
		{"not JSON", base64.StdEncoding.EncodeToString([]byte("hello")), ErrInvalid},
		{"empty JSON", encode(t, map[string]any{}), ErrInvalid},
		{"wrong number", with("number", n+1), ErrInvalid},
		{"number as text", with("number", strconv.FormatInt(n, 10)), ErrInvalid},
		{"altered signature", with("signature", strings.Repeat("0", 64)), ErrInvalid},
		{"altered challenge", with("challenge", strings.Repeat("a", 64)), ErrInvalid},
		{"expiry pushed back", with("salt", laterSalt), ErrInvalid},
		{"SHA-1", sha1Payload, ErrInvalid},
		{"another server's key", foreignPayload, ErrInvalid},
		{"no expiry", noExpPayload, ErrInvalid},
		{"too long", strings.Repeat("A", maxPayloadLen+4), ErrInvalid},
	}
	for _, tt := range tests {
		if err := s.Verify(context.Background(), tt.payload); !errors.Is(err, tt.want) {
			t.Errorf("%s: Verify = %v, want %v", tt.name, err, tt.want)
		}
	}
	// None of the refusals spent the genuine solution.
	if err := s.Verify(context.Background(), good); err != nil {
		t.Errorf("genuine payload after the refusals: %v", err)
	}
}

func TestVerifyExpired(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		after time.Duration
		want  error
	}{
		{"just in time", 10 * time.Minute, nil},
		{"a second late", 10*time.Minute + time.Second, ErrExpired},
		{"an hour late", time.Hour, ErrExpired},
	}
	for _, tt := range tests {
		s, _, now := newTestService(t)
		payload, _ := solve(t, s)
		*now = now.Add(tt.after)
		if err := s.Verify(context.Background(), payload); !errors.Is(err, tt.want) {
			t.Errorf("%s: Verify = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestVerifySpendFailure(t *testing.T) {
	t.Parallel()
	s, m, _ := newTestService(t)
	payload, _ := solve(t, s)
	m.err = errors.New("database down")
	err := s.Verify(context.Background(), payload)
	if err == nil || errors.Is(err, ErrReplayed) || errors.Is(err, ErrInvalid) {
		t.Fatalf("Verify = %v, want the spend error passed on", err)
	}
	if !errors.Is(err, m.err) {
		t.Errorf("Verify = %v, does not wrap %v", err, m.err)
	}
}

func TestDisabledAcceptsAnything(t *testing.T) {
	t.Parallel()
	s, err := New(nil, false, 0, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, payload := range []string{"", "garbage", encode(t, map[string]any{"number": 1})} {
		if err := s.Verify(context.Background(), payload); err != nil {
			t.Errorf("disabled Verify(%q) = %v", payload, err)
		}
	}
	if _, err := s.Challenge(); err != nil {
		t.Errorf("disabled Challenge: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }
