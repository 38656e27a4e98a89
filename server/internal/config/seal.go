package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/bnp/undersigned/server/internal/privacy"
)

// devSealIdentityFile holds the identity generated in development, so that
// sealed data can be opened on a laptop. Production never has one.
const devSealIdentityFile = "seal_identity"

// sealRecipients returns SEAL_RECIPIENTS, validated, or in development the
// recipient of an identity generated into dataDir (with its path).
func (r *reader) sealRecipients(dataDir string) (recipients, devIdentity string) {
	if v, ok := r.raw("SEAL_RECIPIENTS"); ok {
		if _, err := privacy.NewCoalition(v); err != nil {
			r.fail("SEAL_RECIPIENTS", "must be one or more age X25519 recipients (age1…), separated by commas; make one with `undersigned keys generate`")
		}
		return v, ""
	}
	if r.production {
		r.fail("SEAL_RECIPIENTS", "is unset: with an https PUBLIC_URL (production) give the coalition's age recipients (`undersigned keys generate`); the identity must never be on the server (docs/key-custody.md)")
		return "", ""
	}
	path := filepath.Join(dataDir, devSealIdentityFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		id, gerr := privacy.NewIdentity()
		if gerr != nil {
			r.fail("SEAL_RECIPIENTS", "is unset and no identity can be generated")
			return "", ""
		}
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			r.fail("DATA_DIR", "cannot be created")
			return "", ""
		}
		b = []byte("# development seal identity: never use in production\n# public key: " + id.Recipient + "\n" + id.Secret + "\n")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			r.fail("SEAL_RECIPIENTS", "is unset and cannot be generated into "+path)
			return "", ""
		}
	} else if err != nil {
		r.fail("SEAL_RECIPIENTS", "is unset and "+path+" cannot be read")
		return "", ""
	}
	id, err := privacy.ParseIdentityFile(string(b))
	if err != nil {
		r.fail("SEAL_RECIPIENTS", "is unset and "+path+" is not an age identity")
		return "", ""
	}
	return id.Recipient, path
}
