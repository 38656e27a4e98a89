package intake

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/auth"
	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
)

// ConfirmLifetime is how long a confirmation link works; an unconfirmed
// signature is deleted after it.
const ConfirmLifetime = 7 * 24 * time.Hour

// SignRequest is one valid signing request, as the form or the API took
// it. It is sealed whole into the intake: nothing of it reaches the disk in
// plain text.
type SignRequest struct {
	Email      string  `json:"email"` // as typed, trimmed and lower-cased: where mail goes
	Name       string  `json:"name"`
	Country    string  `json:"country"`
	Comment    *string `json:"comment,omitempty"`
	Visibility string  `json:"visibility"`
	Updates    bool    `json:"updates,omitempty"`
	Ref        string  `json:"ref,omitempty"`
	// Language is the language of the emails; Campaign the campaign's
	// title, which they name; Shown the name as it will be listed ("" when
	// not listed).
	Language string `json:"language"`
	Campaign string `json:"campaign"`
	Shown    string `json:"shown,omitempty"`
	// Flagged shadow-flags the signature (FlagReason says why): it is
	// accepted but never counts.
	Flagged    bool   `json:"flagged,omitempty"`
	FlagReason string `json:"flag_reason,omitempty"`
	// Client is the salted hash of the client's IP address.
	Client string `json:"client,omitempty"`
	// Base starts the emails' links instead of the worker's PublicURL: the
	// onion service's address, for a person who signed there.
	Base string `json:"base,omitempty"`
}

// SubmitSignature accepts one valid signing request of an open campaign:
// sealed and durably written when it returns nil, so the caller may answer
// 202. store.ErrBusy means the intake is full.
func (w *Worker) SubmitSignature(ctx context.Context, campaignID string, r SignRequest) error {
	// One address signs a campaign once, however it is spelt: its
	// renewals are applied in order.
	subject := r.Email
	if canonical, _, err := privacy.CanonicalEmail(r.Email); err == nil {
		subject = canonical
	}
	return w.submit(ctx, store.IntakeSignature, campaignID, subject, r)
}

func (w *Worker) decideSignature(ctx context.Context, campaignID string, at time.Time, plain []byte) (store.Intent, error) {
	var r SignRequest
	if err := json.Unmarshal(plain, &r); err != nil {
		return nil, fmt.Errorf("intake: read signature: %w", err)
	}
	canonical, domain, err := privacy.CanonicalEmail(r.Email)
	if err != nil {
		return nil, fmt.Errorf("intake: signature address: %w", err)
	}
	sig, err := w.seal(ctx, campaignID, r, canonical, domain)
	if err != nil {
		return nil, err
	}
	confirm, confirmHash := auth.NewToken()
	withdraw, withdrawHash := auth.NewToken()
	sig.ConfirmTokenHash, sig.WithdrawTokenHash = &confirmHash, &withdrawHash
	sig.TokenExpiresAt = time.Now().UTC().Add(ConfirmLifetime).Truncate(time.Millisecond)
	sig.CreatedAt = at
	sig.Flagged, sig.FlagReason = r.Flagged, r.FlagReason
	// No IP hash is kept with the row: the limits have done their work in
	// the request, and with the database and DATA_KEY the day's salt would
	// turn the hash back into the address (attacker review).
	base := w.linkBase(r.Base)
	// The links open their pages in the language the signer chose, even in
	// a browser that remembers nothing (Tor Browser).
	lang := langQuery(r.Language)
	withdrawLink := base + "/withdraw/" + withdraw + lang
	return store.SignIntent{
		Signature: sig,
		Confirm: queued(mailers.SignatureConfirm(r.Language, mailers.SignatureConfirmParams{
			Campaign: r.Campaign, ConfirmLink: base + "/confirm/" + confirm + lang, WithdrawLink: withdrawLink,
			Days: int(ConfirmLifetime / (24 * time.Hour)), Name: r.Name, Shown: r.Shown,
		}), r.Email),
		Already: queued(mailers.SignatureAlready(r.Language, mailers.SignatureAlreadyParams{
			Campaign: r.Campaign, WithdrawLink: withdrawLink,
		}), r.Email),
	}, nil
}
