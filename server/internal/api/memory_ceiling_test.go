package api_test

import (
	"sync"
	"testing"

	"github.com/bnp/undersigned/server/internal/auth"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// A burst of password-reset confirms with bogus tokens costs no argon2id
// hash (19 MiB each) and meets a rate limit (issue 11, hole 4). Not
// parallel: auth.HashesDone counts the whole process's hashes.
func TestPasswordResetConfirmChecksTheTokenBeforeHashing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		e := newEnv(t, db, nil)
		before := auth.HashesDone()
		statuses := make(chan int, 64)
		var wg sync.WaitGroup
		for i := 0; i < 64; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := e.send("POST", "/api/v1/auth/password-reset/confirm", "",
					map[string]string{"token": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "password": "long enough password"})
				statuses <- r.Status
			}()
		}
		wg.Wait()
		close(statuses)
		counts := map[int]int{}
		for s := range statuses {
			counts[s]++
		}
		if counts[422] != 10 || counts[429] != 54 {
			t.Fatalf("statuses %v, want 10 × 422 then 54 × 429", counts)
		}
		if n := auth.HashesDone() - before; n != 0 {
			t.Fatalf("%d argon2id hashes for bogus tokens, want none", n)
		}
	})
}
