package mailers

// KindEndorsementVerify asks an organisation's contact to verify their
// address, so that the endorsement goes to review.
const KindEndorsementVerify = "endorsement_verify"

// EndorsementVerifyParams are the verification email's parameters.
type EndorsementVerifyParams struct {
	Campaign     string `json:"campaign"`
	Organization string `json:"organization"`
	// Link is {PUBLIC_URL}/endorse/confirm/{token}.
	Link string `json:"link"`
	Days int    `json:"days"`
}

// printedTexts: the templates only print these (see skeleton.go).
func (p *EndorsementVerifyParams) printedTexts() []*string {
	return []*string{&p.Campaign, &p.Organization, &p.Link}
}

func init() {
	register(KindEndorsementVerify, "endorsement_verify.subject", func() any { return &EndorsementVerifyParams{} })
}

// EndorsementVerify describes the verification email for the queue.
func EndorsementVerify(lang string, p EndorsementVerifyParams) Outgoing {
	return outgoing(KindEndorsementVerify, lang, p)
}
