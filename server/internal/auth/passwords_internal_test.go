package auth

import (
	"sync"
	"testing"
)

// However many hashes are asked for at once, at most MaxConcurrentHashes
// run together, so memory has a fixed ceiling (issue 11, hole 4).
func TestConcurrentHashesAreBounded(t *testing.T) {
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
