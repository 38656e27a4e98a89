package mailers

// KindEndorsementReview tells a moderator or admin that a verified
// endorsement awaits review.
const KindEndorsementReview = "endorsement_review"

// EndorsementReviewParams are the staff notice's parameters.
type EndorsementReviewParams struct {
	Campaign     string `json:"campaign"`
	Organization string `json:"organization"`
	Country      string `json:"country"`
	// Duplicate is set when it looks like an organisation that endorsed
	// the campaign already.
	Duplicate bool `json:"duplicate"`
	// Link is {PUBLIC_URL}/admin/endorsements.
	Link string `json:"link"`
}

// printedTexts: the templates only print these (see skeleton.go).
func (p *EndorsementReviewParams) printedTexts() []*string {
	return []*string{&p.Campaign, &p.Organization, &p.Country, &p.Link}
}

func init() {
	register(KindEndorsementReview, "endorsement_review.subject", func() any { return &EndorsementReviewParams{} })
}

// EndorsementReview describes the staff notice for the queue, in English
// like the rest of the staff interface; the store addresses one to each
// reviewer.
func EndorsementReview(p EndorsementReviewParams) Outgoing {
	return outgoing(KindEndorsementReview, "en", p)
}
