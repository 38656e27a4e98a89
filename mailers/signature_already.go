package mailers

// KindSignatureAlready answers a signing request from an address that has
// already confirmed its signature of the campaign: it says so, and gives a
// new withdrawal link. So the page answers every address alike (whether
// someone signed is what a hostile state wants to learn), and a signer who
// lost the first email still has a way out.
const KindSignatureAlready = "signature_already"

// SignatureAlreadyParams are the "you have already signed" email's parameters.
type SignatureAlreadyParams struct {
	Campaign     string `json:"campaign"`
	WithdrawLink string `json:"withdraw_link"`
}

// printedTexts: the templates only print these (see skeleton.go).
func (p *SignatureAlreadyParams) printedTexts() []*string {
	return []*string{&p.Campaign, &p.WithdrawLink}
}

func init() {
	register(KindSignatureAlready, "signature_already.subject", func() any { return &SignatureAlreadyParams{} })
}

// SignatureAlready describes the "you have already signed" email for the queue.
func SignatureAlready(lang string, p SignatureAlreadyParams) Outgoing {
	return outgoing(KindSignatureAlready, lang, p)
}
