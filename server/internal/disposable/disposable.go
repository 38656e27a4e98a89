// Package disposable recognises throwaway email domains, whose inboxes are
// public or short-lived: a signature confirmed through one says nothing
// about a real person, and they are the cheapest way to inflate a count.
package disposable

import (
	_ "embed" // for the go:embed of domains.txt
	"strings"
)

//go:embed domains.txt
var domainsTxt string

// domains is parsed once at start-up from the embedded list.
var domains = parse(domainsTxt)

// parse reads one domain per line, skipping blank lines and # comments.
func parse(text string) map[string]bool {
	set := make(map[string]bool)
	for _, line := range strings.Split(text, "\n") {
		line = strings.ToLower(strings.TrimSpace(line))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		set[line] = true
	}
	return set
}

// Is reports whether domain, or any domain above it, is a known
// disposable domain: services hand out random subdomains
// (x7.mailinator.com), so matching the exact name alone is not enough.
// Case and a trailing dot are ignored.
func Is(domain string) bool {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	for d != "" {
		if domains[d] {
			return true
		}
		dot := strings.IndexByte(d, '.')
		if dot < 0 {
			return false
		}
		d = d[dot+1:]
	}
	return false
}
