package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/store"
)

// proxies are the reverse proxies of TRUSTED_PROXIES, whose
// X-Forwarded-For entries are believed.
type proxies []netip.Prefix

// maxForwardedEntries bounds how far back a chain is read: no real chain
// of proxies is longer, and a client cannot make the server parse a
// header of thousands of entries.
const maxForwardedEntries = 32

// newProxies parses TRUSTED_PROXIES (validated by config: addresses and
// CIDR ranges).
func newProxies(list []string) proxies {
	var out proxies
	for _, item := range list {
		if p, err := netip.ParsePrefix(item); err == nil {
			out = append(out, p.Masked())
		} else if a, err := netip.ParseAddr(item); err == nil {
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return out
}

func (p proxies) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, n := range p {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// client is the address of the client behind the proxies: the connection's
// peer unless that is a trusted proxy; then the right-most address of the
// X-Forwarded-For lines (in their order, the last line last) that is not a
// trusted proxy. Each proxy appends the address it got the request from,
// so everything left of that is what the client wrote and is never
// believed: a client prepending its own values (nginx's
// $proxy_add_x_forwarded_for) or sending its own header line before the
// proxy's (HAProxy's option forwardfor) still lands in its own bucket.
// Malformed entries are skipped.
func (p proxies) client(peer netip.Addr, lines [][]byte) netip.Addr {
	peer = peer.Unmap()
	if !p.trusted(peer) {
		return peer
	}
	seen := 0
	for i := len(lines) - 1; i >= 0; i-- {
		entries := bytes.Split(lines[i], []byte{','})
		for j := len(entries) - 1; j >= 0; j-- {
			if seen++; seen > maxForwardedEntries {
				return peer
			}
			a, ok := forwardedAddr(string(entries[j]))
			if !ok {
				continue
			}
			if !p.trusted(a) {
				return a
			}
			peer = a
		}
	}
	// Every hop is a trusted proxy: the left-most one is the client.
	return peer
}

// forwardedAddr parses one X-Forwarded-For entry: an address, possibly
// with a port ("203.0.113.7:5411", "[2001:db8::1]:443").
func forwardedAddr(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil && ap.Addr().Zone() == "" {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// clientAddr is the client's address as the limits see it; it is only
// ever hashed. An IPv6 client is its /64: one machine commonly holds a
// whole /64, and would otherwise get a fresh bucket from every address in it.
func (s *server) clientAddr(c *fiber.Ctx) string {
	peer, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	if len(s.proxies) > 0 {
		peer = s.proxies.client(peer, c.Request().Header.PeekAll(fiber.HeaderXForwardedFor))
	}
	return clientNetwork(peer.Unmap())
}

// clientNetwork is an IPv4 address itself, and an IPv6 address's /64.
func clientNetwork(a netip.Addr) string {
	if a.Is6() {
		if p, err := a.Prefix(64); err == nil {
			return p.String()
		}
	}
	return a.String()
}

// ipSalts keeps the day's random salt for client address hashes, read from
// (or created in) the database once a day per instance.
type ipSalts struct {
	store *store.Store
	mu    sync.Mutex
	day   string
	salt  []byte
}

func (x *ipSalts) current(ctx context.Context) ([]byte, error) {
	now := time.Now()
	day := now.UTC().Format(time.DateOnly)
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.day == day {
		return x.salt, nil
	}
	salt, err := x.store.IPSalt(ctx, now)
	if err != nil {
		return nil, err
	}
	// Yesterday's salt is dropped, not zeroed: a request of a moment ago
	// may still be reading it.
	x.day, x.salt = day, salt
	return salt, nil
}

// clientHash is the keyed hash of the client address with the day's random
// salt: the only form in which an address is ever used (privacy rule 2).
// Should the database not give the salt, the hash uses a salt of this
// request alone: limits then miss the request, which fails at its next
// database step anyway, and no address is ever hashed without a salt.
func (s *server) clientHash(c *fiber.Ctx) string {
	salt, err := s.salts.current(c.UserContext())
	if err != nil {
		slog.Error("ip salt", "err", err, "request_id", requestID(c))
		salt = make([]byte, 32)
		_, _ = rand.Read(salt)
	}
	return s.Keys.IPHash(s.clientAddr(c), salt)
}
