package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/bnp/undersigned/server/internal/privacy"
)

// keysCommand: keys generate. It prints a new coalition identity and its
// public recipient, with what to keep where; nothing is written to disk,
// so that the secret half exists only where the operator puts it.
func keysCommand(args []string, stdout io.Writer) error {
	if len(args) != 1 || args[0] != "generate" {
		return errors.New("usage: undersigned keys generate")
	}
	id, err := privacy.NewIdentity()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, `# A new coalition seal identity (age X25519). Nothing was written to disk.
#
# 1. PUBLIC: give this to every server, in SEAL_RECIPIENTS (add it to the
#    list to rotate; keep the old one until nothing is sealed to it alone):
SEAL_RECIPIENTS=%s
#
# 2. SECRET: never on the server, never in a backup of it. Keep it with the
#    coalition, offline (a password manager, a printed copy in a safe, two
#    holders in two countries). Staff paste it into the console only for one
#    audited export or one update send; it stays in memory for that request.
%s
#
# See docs/key-custody.md.
`, id.Recipient, id.Secret)
	return err
}
