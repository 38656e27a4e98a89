package auth

import (
	"strings"
	"sync"
	"testing"
)

// However many hashes are asked for at once, at most MaxConcurrentHashes
// run together, so memory has a fixed ceiling (issue 11, hole 4).
func TestConcurrentHashesAreBounded(t *testing.T) {
	passwordParams = productionParams
	t.Cleanup(func() { passwordParams = testParams })
	hash, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	peak.Store(0)
	var wg sync.WaitGroup
	for i := 0; i < 24; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				_, _ = HashPassword("another password")
			} else if CheckPassword("wrong", hash) {
				t.Error("a wrong password matched")
			}
		}()
	}
	wg.Wait()
	if p := peak.Load(); p < 2 || p > MaxConcurrentHashes {
		t.Fatalf("peak of concurrent hashes = %d, want 2..%d", p, MaxConcurrentHashes)
	}
}

// Outside tests, hashes cost OWASP's argon2id baseline; a hash carries its
// parameters, so a check costs what its hash cost to make.
func TestProductionHashesCostTheBaseline(t *testing.T) {
	if p := productionParams; p.Memory != 19*1024 || p.Iterations != 2 || p.Parallelism != 1 || p.SaltLength != 16 || p.KeyLength != 32 {
		t.Fatalf("production argon2id parameters %+v, want OWASP's baseline m=19456 t=2 p=1", p)
	}
	passwordParams = productionParams
	t.Cleanup(func() { passwordParams = testParams })
	hash, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %s does not carry the production parameters", hash)
	}
	if !CheckPassword("correct horse battery staple", hash) || CheckPassword("wrong", hash) {
		t.Fatal("a production hash does not check")
	}
}
