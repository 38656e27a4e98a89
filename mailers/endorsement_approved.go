package mailers

// KindEndorsementApproved tells an organisation's contact that the
// endorsement was approved.
const KindEndorsementApproved = "endorsement_approved"

// EndorsementApprovedParams are the approval email's parameters.
type EndorsementApprovedParams struct {
	Campaign     string `json:"campaign"`
	Organization string `json:"organization"`
	// Confidential endorsements are not listed publicly: the email says so
	// instead of linking to the page.
	Confidential bool `json:"confidential"`
	// Link is the campaign's public page.
	Link string `json:"link"`
}

// printedTexts: the templates only print these (see skeleton.go).
func (p *EndorsementApprovedParams) printedTexts() []*string {
	return []*string{&p.Campaign, &p.Organization, &p.Link}
}

func init() {
	register(KindEndorsementApproved, "endorsement_approved.subject", func() any { return &EndorsementApprovedParams{} })
}

// EndorsementApproved describes the approval email for the queue; the
// store addresses it to the contact.
func EndorsementApproved(lang string, p EndorsementApprovedParams) Outgoing {
	return outgoing(KindEndorsementApproved, lang, p)
}
