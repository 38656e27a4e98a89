package privacy

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// DedupKeyStore keeps each campaign's wrapped deduplication key
// (store.Store.CampaignDedupKey).
type DedupKeyStore interface {
	CampaignDedupKey(ctx context.Context, campaignID, fresh string) (string, error)
}

// CampaignHasher hashes addresses for deduplication with a random key of
// each campaign's own, so that destroying that key when the campaign
// closes leaves its hashes unanswerable (crypto-shredding). Keys are kept
// in memory for a minute, and stored wrapped with DATA_KEY.
type CampaignHasher struct {
	Keys  Keys
	Store DedupKeyStore
	// TTL bounds how long a key stays in memory (default one minute).
	TTL time.Duration

	mu    sync.Mutex
	cache map[string]cachedKey
}

type cachedKey struct {
	key     []byte
	fetched time.Time
}

// EmailHash is the deduplication hash of a canonical address (from
// CanonicalEmail) in one campaign.
func (h *CampaignHasher) EmailHash(ctx context.Context, campaignID, canonical string) (string, error) {
	key, err := h.key(ctx, campaignID, true)
	if err != nil {
		return "", err
	}
	return hashWith(key, canonical), nil
}

// ExistingEmailHash is EmailHash without making a key the campaign lacks
// (the store's error then says so): for callers inside a transaction.
func (h *CampaignHasher) ExistingEmailHash(ctx context.Context, campaignID, canonical string) (string, error) {
	key, err := h.key(ctx, campaignID, false)
	if err != nil {
		return "", err
	}
	return hashWith(key, canonical), nil
}

// ExistingContactHash is the lookup hash of an endorsement's contact
// address (lower-cased) in one campaign, under the campaign's existing
// key: it dies with the key at close, like the signers' hashes. Its own
// label keeps it from ever equalling a signer's hash of the same address,
// so that a dump cannot tell that a contact also signed.
func (h *CampaignHasher) ExistingContactHash(ctx context.Context, campaignID, address string) (string, error) {
	key, err := h.key(ctx, campaignID, false)
	if err != nil {
		return "", err
	}
	return labelledHash(key, "endorsement-contact", address), nil
}

func hashWith(key []byte, canonical string) string { return labelledHash(key, "email", canonical) }

func labelledHash(key []byte, label, value string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label + "\x00" + value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Warm makes sure a campaign has its key, creating it if needed, and
// holds it in memory: the signing request does this so that the intake
// worker, inside its transaction, only ever reads an existing key.
func (h *CampaignHasher) Warm(ctx context.Context, campaignID string) error {
	_, err := h.key(ctx, campaignID, true)
	return err
}

// Forget drops a campaign's key from memory, as its closing destroys it.
func (h *CampaignHasher) Forget(campaignID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.cache[campaignID]; ok {
		clear(c.key)
		delete(h.cache, campaignID)
	}
}

func (h *CampaignHasher) key(ctx context.Context, campaignID string, create bool) ([]byte, error) {
	ttl := h.TTL
	if ttl == 0 {
		ttl = time.Minute
	}
	h.mu.Lock()
	c, ok := h.cache[campaignID]
	h.mu.Unlock()
	if ok && time.Since(c.fetched) < ttl {
		return c.key, nil
	}
	wrappedFresh := "" // "": only read an existing key
	if create {
		fresh := make([]byte, 32)
		if _, err := rand.Read(fresh); err != nil {
			return nil, fmt.Errorf("privacy: dedup key: %w", err)
		}
		var err error
		if wrappedFresh, err = h.Keys.Encrypt(hex.EncodeToString(fresh)); err != nil {
			return nil, err
		}
	}
	wrapped, err := h.Store.CampaignDedupKey(ctx, campaignID, wrappedFresh)
	if err != nil {
		return nil, fmt.Errorf("privacy: dedup key: %w", err)
	}
	text, err := h.Keys.Decrypt(wrapped)
	if err != nil {
		return nil, fmt.Errorf("privacy: dedup key: %w", err)
	}
	key, err := hex.DecodeString(text)
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("privacy: dedup key: %w", ErrCiphertext)
	}
	h.mu.Lock()
	if h.cache == nil {
		h.cache = map[string]cachedKey{}
	}
	h.cache[campaignID] = cachedKey{key: key, fetched: time.Now()}
	h.mu.Unlock()
	return key, nil
}
