package intake

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/auth"
	"github.com/bnp/undersigned/server/internal/store"
)

// ResetLifetime is how long a password reset link works.
const ResetLifetime = 30 * time.Minute

// ResetRequest is a request for a staff password reset link.
type ResetRequest struct {
	Email    string `json:"email"` // trimmed and lower-cased
	Language string `json:"language"`
}

// SubmitPasswordReset accepts a password reset request, whether or not the
// address has an account: the worker emails a link if it has.
func (w *Worker) SubmitPasswordReset(ctx context.Context, r ResetRequest) error {
	// Each request makes a token of its own: their order does not matter.
	return w.submit(ctx, store.IntakePasswordReset, "", "", r)
}

func (w *Worker) decideReset(plain []byte) (store.Intent, error) {
	var r ResetRequest
	if err := json.Unmarshal(plain, &r); err != nil {
		return nil, fmt.Errorf("intake: read password reset: %w", err)
	}
	token, hash := auth.NewToken()
	out := mailers.PasswordResetIn(r.Language, mailers.PasswordResetParams{
		Link: w.PublicURL + "/reset/" + token, Minutes: int(ResetLifetime / time.Minute)})
	return store.ResetIntent{Email: r.Email, TokenHash: hash, TTL: ResetLifetime, Mail: queued(out, "")}, nil
}
