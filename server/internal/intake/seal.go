package intake

import (
	"context"
	"errors"
	"fmt"

	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
)

// errNoSealer refuses to store a signature that could not be sealed.
var errNoSealer = errors.New("intake: no seal recipients")

// seal builds the signature row of a request (issue 14): the address
// hashed with the campaign's own key (destroyed when it closes) and kept
// only sealed, for a signer who asked for updates; a private name and any
// comment sealed to the coalition; a public or initials name readable,
// since it is published anyway; no name at all for a count-only signer.
func (w *Worker) seal(ctx context.Context, campaignID string, r SignRequest, canonical, domain string) (*store.Signature, error) {
	if w.Coalition == nil {
		return nil, errNoSealer
	}
	hash, err := w.Hasher.ExistingEmailHash(ctx, campaignID, canonical)
	if errors.Is(err, store.ErrNoDedupKey) {
		return nil, fmt.Errorf("intake: %w", store.ErrRetryLater) // a campaign new since the warm-up
	} else if err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	sig := &store.Signature{
		CampaignID: campaignID, EmailHash: hash, EmailDomainHash: w.Keys.DomainHash(domain),
		Country: r.Country, Visibility: r.Visibility, Updates: r.Updates, RefCode: r.Ref,
		Language: r.Language, CountOnly: r.Name == "",
	}
	if privacy.IsCommonProvider(domain) {
		sig.EmailProvider = domain
	}
	switch {
	case r.Name == "":
	case r.Visibility == store.VisibilityPrivate:
		name := r.Name
		if sig.NameSealed, err = w.Coalition.SealOptional(&name); err != nil {
			return nil, err
		}
	default:
		name := r.Name
		sig.Name = &name
	}
	if sig.CommentSealed, err = w.Coalition.SealOptional(r.Comment); err != nil {
		return nil, err
	}
	sig.HasComment = sig.CommentSealed != nil
	if r.Updates {
		email := r.Email
		if sig.EmailSealed, err = w.Coalition.SealOptional(&email); err != nil {
			return nil, err
		}
	}
	return sig, nil
}
