package mailers

// KindEndorsementRejected tells an organisation's contact that the
// endorsement was not accepted, and why.
const KindEndorsementRejected = "endorsement_rejected"

// EndorsementRejectedParams are the rejection email's parameters.
type EndorsementRejectedParams struct {
	Campaign     string `json:"campaign"`
	Organization string `json:"organization"`
	Reason       string `json:"reason"`
}

// printedTexts: the templates only print these (see skeleton.go).
func (p *EndorsementRejectedParams) printedTexts() []*string {
	return []*string{&p.Campaign, &p.Organization, &p.Reason}
}

func init() {
	register(KindEndorsementRejected, "endorsement_rejected.subject", func() any { return &EndorsementRejectedParams{} })
}

// EndorsementRejected describes the rejection email for the queue; the
// store addresses it to the contact.
func EndorsementRejected(lang string, p EndorsementRejectedParams) Outgoing {
	return outgoing(KindEndorsementRejected, lang, p)
}
