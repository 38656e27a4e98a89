// Package auth holds the staff authentication primitives: argon2id password
// hashes, HS256 access tokens, and opaque random tokens kept only as hashes.
package auth

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/alexedwards/argon2id"
)

// productionParams follow OWASP's argon2id baseline (19 MiB, 2 passes):
// strong enough for staff passwords and cheap enough that a burst of logins
// does not exhaust a 2-core machine's memory.
var productionParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// testParams are argon2id's cheapest. A test binary hashes with them, as
// Devise and Django configure their test environments: the API tests hash
// hundreds of passwords (new accounts, logins, unknown accounts), and at
// the production cost, with the 19 MiB each hash allocates, that was a
// tenth of their CPU. The tests of the cost itself set productionParams.
var testParams = &argon2id.Params{Memory: 8, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// passwordParams are the parameters of new hashes and of the dummy check.
var passwordParams = func() *argon2id.Params {
	if testing.Testing() {
		return testParams
	}
	return productionParams
}()

// MaxConcurrentHashes bounds the argon2id hashes (logins, password resets,
// new accounts) that run at once in one process, so that no burst of
// requests takes memory past MaxConcurrentHashes × 19 MiB; the rest wait
// their turn. Staff sign in a few times a day: four at once is plenty.
const MaxConcurrentHashes = 4

var (
	hashSlots = make(chan struct{}, MaxConcurrentHashes)
	// inFlight, peak and done let tests see the bound and count the work.
	inFlight, peak, done atomic.Int64
)

// collectAfter is the hash memory (KiB) from which a hash is followed by
// a collection: below it, the garbage is too little to be worth one.
const collectAfter = 1024

// withHashSlot runs fn, a hash of memoryKiB, one of at most
// MaxConcurrentHashes at a time.
func withHashSlot(memoryKiB uint32, fn func()) {
	hashSlots <- struct{}{}
	n := inFlight.Add(1)
	for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
	}
	defer func() {
		inFlight.Add(-1)
		done.Add(1)
		<-hashSlots
	}()
	fn()
	// The hash's 19 MiB are garbage now. Left to the pacer, a burst lets
	// the heap grow to twice what is live before collecting, so resident
	// memory would reach about twice the bound; a collection now (a few
	// milliseconds beside the hash's tens) keeps it at the bound. A hash
	// of a few KiB (an old or a test account's) leaves nothing to collect,
	// and a collection would cost more than the hash.
	if memoryKiB >= collectAfter {
		runtime.GC()
	}
}

// HashesDone is how many argon2id hashes this process has computed: a
// test's way to see that a request did no hashing.
func HashesDone() int64 { return done.Load() }

// HashPassword returns the argon2id hash of password in PHC string form.
func HashPassword(password string) (string, error) {
	var (
		h   string
		err error
	)
	withHashSlot(passwordParams.Memory, func() { h, err = argon2id.CreateHash(password, passwordParams) })
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
		dummy := dummyHash()
		withHashSlot(passwordParams.Memory, func() { _, _ = argon2id.ComparePasswordAndHash(password, dummy) })
		return false
	}
	// The hash's own parameters say what checking it costs.
	memory := passwordParams.Memory
	if p, _, _, err := argon2id.DecodeHash(hash); err == nil {
		memory = p.Memory
	}
	var (
		ok  bool
		err error
	)
	withHashSlot(memory, func() { ok, err = argon2id.ComparePasswordAndHash(password, hash) })
	return err == nil && ok
}

var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("not a password of anyone")
	return h
})
