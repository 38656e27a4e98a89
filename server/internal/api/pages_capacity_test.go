package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// Past the intake's capacity the form answers at once, as the API does:
// 503 with Retry-After, the form again with what was typed and a message.
func TestSignFormPastCapacityAnswers503(t *testing.T) {
	for _, kind := range storetest.Kinds(t) {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			db := storetest.NewWith(t, kind, store.Options{IntakeQueue: 1, IntakeWriters: 1})
			e := newEnv(t, db, func(c *config.Config) { c.RateLimits = false })
			clk := withFormClock(t, e, db, nil)
			token := formToken(t, e.page(demoPage, nil).Body)
			clk.Wait(5 * time.Second)
			// The day's IP salt is written on first use: write it before the
			// stall, or on SQLite the requests would wait for it, not the intake.
			e.send("POST", demo+"/signatures", "", signBody("Early Signer", "early@example.org")).wantStatus(t, 202)
			e.settle()
			release, err := db.HoldWrites(context.Background(), "intake")
			if err != nil {
				t.Fatal(err)
			}
			defer release()
			// Fill the intake through the API (the form's token is spent in
			// the database, which SQLite's held write lock would stall first).
			statuses := make(chan int, 20)
			launched := 0
			for full := false; !full; {
				if launched == 10 {
					t.Fatal("10 signing requests against a stalled intake of capacity 1, none refused")
				}
				launched++
				go func(i int) {
					statuses <- e.send("POST", demo+"/signatures", "", signBody("Queued Signer", fmt.Sprintf("queued%d@example.org", i))).Status
				}(launched)
				select {
				case st := <-statuses:
					if st != 503 {
						t.Fatalf("a request answered %d while the intake was stalled", st)
					}
					launched--
					full = true
				case <-time.After(100 * time.Millisecond):
				}
			}
			start := time.Now()
			refused := e.postForm(demoPage, signValues(token, "Late Signer", "late@example.org"), nil)
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("the refusal took %v", d)
			}
			refused.wantStatus(t, 503).wantText(t, "Very many people are signing at this moment", `value="Late Signer"`)
			if refused.Header.Get("Retry-After") == "" || !strings.Contains(refused.text(), `name="form_token"`) {
				t.Fatal("503 without Retry-After or without the form")
			}
			release()
			// On a busy machine a request may reach the full intake only after
			// a later one, and be refused at once (503); the others were
			// taken and answer 202 now.
			for i := 0; i < launched; i++ {
				select {
				case st := <-statuses:
					if st != 202 && st != 503 {
						t.Fatalf("a waiting request answered %d once the database came back", st)
					}
				case <-time.After(15 * time.Second):
					t.Fatal("the requests the intake took were never answered")
				}
			}
		})
	}
}
