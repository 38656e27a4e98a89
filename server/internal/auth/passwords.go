// Package auth holds the staff authentication primitives: argon2id password
// hashes, HS256 access tokens, and opaque random tokens kept only as hashes.
package auth

import (
	"fmt"
	"sync"

	"github.com/alexedwards/argon2id"
)

// passwordParams follow OWASP's argon2id baseline (19 MiB, 2 passes): strong
// enough for staff passwords and cheap enough that a burst of logins does not
// exhaust a 2-core machine's memory.
var passwordParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// HashPassword returns the argon2id hash of password in PHC string form.
func HashPassword(password string) (string, error) {
	h, err := argon2id.CreateHash(password, passwordParams)
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	return h, nil
}

// CheckPassword reports whether password matches hash. With an empty hash
// (no such user) it still spends the time of a real check, so that the
// answer's timing does not tell whether an account exists.
func CheckPassword(password, hash string) bool {
	if hash == "" {
		_, _ = argon2id.ComparePasswordAndHash(password, dummyHash())
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok
}

var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("not a password of anyone")
	return h
})
