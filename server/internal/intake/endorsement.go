package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/auth"
	"github.com/bnp/undersigned/server/internal/store"
)

// VerifyLifetime is how long an endorsement's verification link works; an
// unverified endorsement is deleted after it.
const VerifyLifetime = 7 * 24 * time.Hour

// EndorseRequest is one valid endorsing request, its calls checked against
// the campaign, sealed whole into the intake.
type EndorseRequest struct {
	Organization string   `json:"organization"`
	OrgType      string   `json:"org_type"`
	Country      string   `json:"country"`
	Website      string   `json:"website,omitempty"`
	WebsiteHost  string   `json:"website_host,omitempty"`
	Statement    string   `json:"statement,omitempty"`
	Calls        []string `json:"calls,omitempty"` // none: all calls
	Confidential bool     `json:"confidential,omitempty"`
	ContactName  string   `json:"contact_name"`
	ContactEmail string   `json:"contact_email"` // as typed, trimmed and lower-cased
	// Language is the language of the email; Campaign the campaign's title.
	Language string `json:"language"`
	Campaign string `json:"campaign"`
	Client   string `json:"client,omitempty"`
	// Base starts the email's link instead of the worker's PublicURL (the
	// onion service's address, for an endorsement made there).
	Base string `json:"base,omitempty"`
}

// SubmitEndorsement accepts one valid endorsing request: sealed and durably
// written when it returns nil, so the caller may answer 202.
func (w *Worker) SubmitEndorsement(ctx context.Context, campaignID string, r EndorseRequest) error {
	// An organisation's pending endorsement is renewed in order.
	return w.submit(ctx, store.IntakeEndorsement, campaignID, store.EndorsementSubject(r.Organization, r.Country), r)
}

func (w *Worker) decideEndorsement(ctx context.Context, campaignID string, at time.Time, plain []byte) (store.Intent, error) {
	var r EndorseRequest
	if err := json.Unmarshal(plain, &r); err != nil {
		return nil, fmt.Errorf("intake: read endorsement: %w", err)
	}
	if w.Coalition == nil {
		return nil, errNoSealer
	}
	// A repeated submission from the same contact is found by a hash under
	// the campaign's own key, never by the address (issue 14).
	contactHash, err := w.Hasher.ExistingContactHash(ctx, campaignID, r.ContactEmail)
	if errors.Is(err, store.ErrNoDedupKey) {
		return nil, fmt.Errorf("intake: %w", store.ErrRetryLater) // a campaign new since the warm-up
	} else if err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	// The contact person, sealed to the coalition: the server's own copy
	// (encrypted by the store) goes once review has emailed them.
	contact, err := json.Marshal(map[string]string{"name": r.ContactName, "email": r.ContactEmail})
	if err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	sealedContact, err := w.Coalition.Seal(string(contact))
	if err != nil {
		return nil, err
	}
	token, hash := auth.NewToken()
	name, email := r.ContactName, r.ContactEmail
	e := &store.Endorsement{
		CampaignID: campaignID, Organization: r.Organization, OrgType: r.OrgType, Country: r.Country,
		Website: r.Website, WebsiteHost: r.WebsiteHost, Statement: r.Statement, Confidential: r.Confidential,
		ContactName: &name, ContactEmail: &email, ContactHash: &contactHash, ContactSealed: &sealedContact, Language: r.Language,
		VerifyTokenHash: &hash, TokenExpiresAt: time.Now().UTC().Add(VerifyLifetime).Truncate(time.Millisecond),
		CallIDs: r.Calls, CreatedAt: at,
	}
	// No IP hash is kept with the row: the limits have done their work in
	// the request, and with the database and DATA_KEY the day's salt would
	// turn the hash back into the address (attacker review).
	return store.EndorseIntent{
		Endorsement: e,
		Verify: queued(mailers.EndorsementVerify(r.Language, mailers.EndorsementVerifyParams{
			Campaign: r.Campaign, Organization: r.Organization, Link: w.linkBase(r.Base) + "/endorse/confirm/" + token + langQuery(r.Language),
			Days: int(VerifyLifetime / (24 * time.Hour)),
		}), r.ContactEmail),
	}, nil
}

// linkBase is where a request's email links start: the address the person
// used (base, when the request names one), else PublicURL.
func (w *Worker) linkBase(base string) string {
	if base != "" {
		return base
	}
	return w.PublicURL
}
