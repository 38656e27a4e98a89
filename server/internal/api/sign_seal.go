package api

import (
	"context"
	"errors"

	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
)

// sealSignature turns a valid form into the signature row, without the
// request: the intake worker calls it too. The address is hashed with the
// campaign's own key and kept only sealed, for a signer who asked for
// updates; a private name and any comment are sealed; a public or
// initials name stays readable, since it is published anyway; a
// count-only signer gave no name at all.
func (s *server) sealSignature(ctx context.Context, form signForm, campaignID string) (*store.Signature, error) {
	hash, err := s.Hasher.EmailHash(ctx, campaignID, form.canonical)
	if errors.Is(err, store.ErrCampaignClosed) {
		return nil, errConflict("this campaign is closed")
	} else if err != nil {
		return nil, err
	}
	sig := &store.Signature{
		CampaignID: campaignID, EmailHash: hash, EmailDomainHash: s.Keys.DomainHash(form.emailDomain),
		Country: form.Country, Visibility: form.Visibility, Updates: form.Updates, RefCode: form.Ref,
		CountOnly: form.Name == "",
	}
	if privacy.IsCommonProvider(form.emailDomain) {
		sig.EmailProvider = form.emailDomain
	}
	switch {
	case form.Name == "":
	case form.Visibility == store.VisibilityPrivate:
		if sig.NameSealed, err = s.Sealer.SealOptional(&form.Name); err != nil {
			return nil, err
		}
	default:
		name := form.Name
		sig.Name = &name
	}
	if sig.CommentSealed, err = s.Sealer.SealOptional(form.Comment); err != nil {
		return nil, err
	}
	sig.HasComment = sig.CommentSealed != nil
	if form.Updates {
		if sig.EmailSealed, err = s.Sealer.SealOptional(&form.email); err != nil {
			return nil, err
		}
	}
	return sig, nil
}
