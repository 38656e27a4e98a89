package config

import (
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// LogKeyName names the transparency logs' signing key after the public
// site: "host/log" (a signed-note key name has no spaces and no "+").
func LogKeyName(public *url.URL) string {
	if public == nil {
		return "undersigned/log"
	}
	name := public.Host + strings.TrimSuffix(public.Path, "/") + "/log"
	return strings.NewReplacer(" ", "", "+", "").Replace(name)
}

func validLogSigningKey(v string) string {
	if _, err := note.NewSigner(v); err != nil {
		return "must be a signed-note Ed25519 private key, PRIVATE+KEY+name+hash+key (see README: transparency log)"
	}
	return ""
}

func newLogSigningKey(name string) func() string {
	return func() string {
		skey, _, err := note.GenerateKey(rand.Reader, name)
		if err != nil {
			panic("config: generate log signing key: " + err.Error())
		}
		return skey
	}
}

// witnessKeys reads a comma-separated list of tlog-cosignature verifier
// keys: name+hash+base64(0x04 || Ed25519 public key).
func (r *reader) witnessKeys(name string) []string {
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
		if !validCosignatureKey(item) {
			r.fail(name, "must be a comma-separated list of witness keys name+hash+key (cosignature/v1, from `undersigned witness`)")
			return nil
		}
		out = append(out, item)
	}
	return out
}

func validCosignatureKey(vkey string) bool {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 || parts[0] == "" || len(parts[1]) != 8 {
		return false
	}
	if _, err := strconv.ParseUint(parts[1], 16, 32); err != nil {
		return false
	}
	key, err := base64.StdEncoding.DecodeString(parts[2])
	return err == nil && len(key) == 33 && key[0] == 4
}
