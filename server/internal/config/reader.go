package config

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// reader keeps the first error so that Load can read every variable in a
// straight line and report the first one at fault.
type reader struct {
	lookup Lookup
	err    error
	// production refuses secrets read from or generated into DATA_DIR.
	production bool
}

func (r *reader) fail(name, why string) {
	if r.err == nil {
		r.err = fmt.Errorf("config: %s %s", name, why)
	}
}

func (r *reader) check(name, why string) {
	if why != "" {
		r.fail(name, why)
	}
}

// raw returns NAME, or the contents of the file NAME_FILE names.
func (r *reader) raw(name string) (string, bool) {
	if v, ok := r.lookup(name); ok && v != "" {
		if f, ok := r.lookup(name + "_FILE"); ok && f != "" {
			r.fail(name, "and "+name+"_FILE are both set: use one")
		}
		return v, true
	}
	f, ok := r.lookup(name + "_FILE")
	if !ok || f == "" {
		return "", false
	}
	b, err := os.ReadFile(f)
	if err != nil {
		r.fail(name+"_FILE", "cannot be read: "+errors.Unwrap(err).Error())
		return "", false
	}
	return strings.TrimSpace(string(b)), true
}

func (r *reader) str(name, def string) string {
	if v, ok := r.raw(name); ok {
		return v
	}
	return def
}

func (r *reader) oneOf(name, def string, allowed ...string) string {
	v := strings.ToLower(r.str(name, def))
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	r.fail(name, "must be one of "+strings.Join(allowed, ", "))
	return def
}

func (r *reader) onOff(name string, def bool) bool {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	switch strings.ToLower(v) {
	case "on", "true", "1", "yes":
		return true
	case "off", "false", "0", "no":
		return false
	}
	r.fail(name, "must be on or off")
	return def
}

func (r *reader) optionalBool(name string) *bool {
	if _, ok := r.raw(name); !ok {
		return nil
	}
	b := r.onOff(name, false)
	return &b
}

func (r *reader) intRange(name string, def, lo, hi int) int {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		r.fail(name, fmt.Sprintf("must be a whole number from %d to %d", lo, hi))
		return def
	}
	return n
}

func (r *reader) floatRange(name string, def, lo, hi float64) float64 {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n < lo || n > hi {
		r.fail(name, fmt.Sprintf("must be a number from %g to %g", lo, hi))
		return def
	}
	return n
}

func (r *reader) duration(name string, def time.Duration) time.Duration {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.fail(name, "must be a positive duration such as 20s")
		return def
	}
	return d
}

// addressList reads a comma-separated list of IP addresses and CIDR ranges.
func (r *reader) addressList(name string) []string {
	v, ok := r.raw(name)
	if !ok {
		return nil
	}
	var out []string
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		_, _, cidrErr := net.ParseCIDR(item)
		if net.ParseIP(item) == nil && cidrErr != nil {
			r.fail(name, "must be a comma-separated list of IP addresses or CIDR ranges")
			return nil
		}
		out = append(out, item)
	}
	return out
}

func (r *reader) httpURL(name, def string) *url.URL {
	v := strings.TrimSuffix(r.str(name, def), "/")
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		r.fail(name, "must be an http(s) URL such as https://sign.example.org")
		u, _ = url.Parse(def)
	}
	return u
}

// onionURL reads an optional onion service address: http:// (Tor
// encrypts the connection end to end) or https://, a v3 .onion host, no
// path or query.
func (r *reader) onionURL(name string) *url.URL {
	v, ok := r.raw(name)
	if !ok || v == "" {
		return nil
	}
	u, err := url.Parse(strings.TrimSuffix(v, "/"))
	host := ""
	if err == nil {
		host = u.Hostname()
	}
	label := strings.TrimSuffix(host, ".onion")
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !strings.HasSuffix(host, ".onion") ||
		len(label) != 56 || strings.Trim(label, "abcdefghijklmnopqrstuvwxyz234567") != "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
		r.fail(name, "must be a v3 onion service address such as http://<56 letters and digits>.onion")
		return nil
	}
	return u
}

func (r *reader) smtpURL(name string) *url.URL {
	v, ok := r.raw(name)
	if !ok {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		r.fail(name, "must be smtp://user:pass@host:587, smtps://user:pass@host:465 or smtp://host:25?tls=none")
		return nil
	}
	if tls := u.Query().Get("tls"); tls != "" && tls != "none" && tls != "starttls" {
		r.fail(name, "tls= must be none or starttls")
		return nil
	}
	return u
}

func (r *reader) address(name, def string) *mail.Address {
	a, err := mail.ParseAddress(r.str(name, def))
	if err != nil {
		r.fail(name, "must be an address such as: undersigned <no-reply@example.org>")
		a, _ = mail.ParseAddress(def)
	}
	return a
}

// secret returns the configured secret or, when unset, the one generated
// into dataDir on an earlier start (or now). Several instances must share
// secrets through the environment; generation serves a single machine.
func (r *reader) secret(name, dataDir string, valid func(string) string, generate func() string) (string, bool) {
	if v, ok := r.raw(name); ok {
		r.check(name, valid(v))
		return v, false
	}
	if r.production {
		r.fail(name, "is unset: with an https PUBLIC_URL (production) it must come from the environment or "+name+"_FILE outside DATA_DIR, never be generated beside the data (docs/key-custody.md)")
		return "", false
	}
	path := filepath.Join(dataDir, strings.ToLower(name))
	if b, err := os.ReadFile(path); err == nil {
		v := strings.TrimSpace(string(b))
		if why := valid(v); why != "" {
			r.fail(name, why+" (read from "+path+")")
		}
		return v, true
	} else if !errors.Is(err, fs.ErrNotExist) {
		r.fail(name, "is unset and "+path+" cannot be read")
		return "", false
	}
	v := generate()
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		r.fail("DATA_DIR", "cannot be created: "+errors.Unwrap(err).Error())
		return "", false
	}
	if err := os.WriteFile(path, []byte(v+"\n"), 0o600); err != nil {
		r.fail(name, "is unset and cannot be generated into "+path)
		return "", false
	}
	return v, true
}

func newJWTSecret() string { return base64.RawURLEncoding.EncodeToString(randomBytes(48)) }
func newDataKey() string   { return hex.EncodeToString(randomBytes(32)) }

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("config: no randomness: " + err.Error())
	}
	return b
}
