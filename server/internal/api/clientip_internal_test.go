package api

import (
	"net/netip"
	"testing"
)

func TestClientBehindProxies(t *testing.T) {
	t.Parallel()
	p := newProxies([]string{"10.0.0.0/8", "192.168.1.1", "::1"})
	lines := func(ls ...string) [][]byte {
		out := make([][]byte, len(ls))
		for i, l := range ls {
			out[i] = []byte(l)
		}
		return out
	}
	for _, tc := range []struct {
		name, peer string
		xff        [][]byte
		want       string
	}{
		{"direct client, header ignored", "198.51.100.9", lines("1.2.3.4"), "198.51.100.9"},
		{"proxy, no header", "10.0.0.2", nil, "10.0.0.2"},
		{"nginx $proxy_add_x_forwarded_for", "10.0.0.2", lines("203.0.113.7"), "203.0.113.7"},
		{"nginx, client prepended its own", "10.0.0.2", lines("1.1.1.1, 2.2.2.2, 203.0.113.7"), "203.0.113.7"},
		{"two trusted proxies", "10.0.0.2", lines("6.6.6.6, 203.0.113.7, 10.0.0.9"), "203.0.113.7"},
		{"HAProxy forwardfor, client's line first", "192.168.1.1", lines("9.9.9.9", "203.0.113.7"), "203.0.113.7"},
		{"malformed entries skipped", "10.0.0.2", lines("6.6.6.6, 203.0.113.7, not-an-ip,  , unknown"), "203.0.113.7"},
		{"entry with a port", "10.0.0.2", lines("6.6.6.6, 203.0.113.7:5411"), "203.0.113.7"},
		{"IPv6 with a port", "::1", lines("[2001:db8::7]:443"), "2001:db8::7"},
		{"IPv4-mapped proxy", "::ffff:10.0.0.2", lines("203.0.113.7"), "203.0.113.7"},
		{"all trusted", "10.0.0.2", lines("10.1.1.1, 10.2.2.2"), "10.1.1.1"},
		{"zone refused", "10.0.0.2", lines("203.0.113.7, fe80::1%eth0"), "203.0.113.7"},
	} {
		got := p.client(netip.MustParseAddr(tc.peer), tc.xff)
		if got.String() != tc.want {
			t.Errorf("%s: client = %s, want %s", tc.name, got, tc.want)
		}
	}
}

// One machine commonly holds a whole IPv6 /64: each of its addresses is the
// same client to the limits (else rotating them escapes every limit).
func TestAnIPv6ClientIsItsSlash64(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"2001:db8::1", "2001:db8::/64"},
		{"2001:db8::ffff:1234", "2001:db8::/64"},
		{"2001:db8:0:1::1", "2001:db8:0:1::/64"},
		{"203.0.113.7", "203.0.113.7"},
		{"::ffff:203.0.113.7", "203.0.113.7"},
	} {
		if got := clientNetwork(netip.MustParseAddr(c.in).Unmap()); got != c.want {
			t.Errorf("clientNetwork(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}
