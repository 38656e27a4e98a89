package digest

import (
	"sync"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
)

// Service is the digests of one installation, set up once when the program
// starts: it composes a digest and starts sending it (Compose, Start), and
// fills in each delivery when the mail queue sends it (Expand, Render).
type Service struct {
	Store *store.Store
	// PublicURL starts every link a digest holds: its campaigns, their
	// logs, the contact's unsubscribe links.
	PublicURL string
	// Keys make each contact's unsubscribe token.
	Keys privacy.Keys
	// Catalog, when set, lets Render render each digest once per language.
	Catalog *mailers.Catalog

	mu       sync.Mutex
	cache    map[string]Content
	rendered map[renderKey]mailers.Email
}

// Unsubscribe returns a contact's unsubscribe links. No mailto:
// alternative is offered: nobody reads the sender's mailbox.
func (x *Service) Unsubscribe(contactID string) mailers.DigestUnsubscribe {
	return x.withToken(x.Keys.UnsubscribeToken(contactID))
}

// withToken returns the unsubscribe links of a token.
func (x *Service) withToken(token string) mailers.DigestUnsubscribe {
	return mailers.DigestUnsubscribe{
		Page:     x.PublicURL + "/unsubscribe/" + token,
		OneClick: x.PublicURL + "/api/v1/contacts/unsubscribe?token=" + token,
	}
}
