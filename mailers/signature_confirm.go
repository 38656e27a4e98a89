package mailers

// KindSignatureConfirm asks a signer to confirm their signature, and gives
// them the link to withdraw it later.
const KindSignatureConfirm = "signature_confirm"

// SignatureConfirmParams are the confirmation email's parameters.
type SignatureConfirmParams struct {
	Campaign     string `json:"campaign"`
	ConfirmLink  string `json:"confirm_link"`
	WithdrawLink string `json:"withdraw_link"`
	Days         int    `json:"days"`
	// Name is the name as signed, and Shown how it will be listed publicly
	// ("" when not at all), so the signer confirms exactly what was asked
	// for in their name, whoever asked.
	Name  string `json:"name"`
	Shown string `json:"shown"`
}

// printedTexts: the templates only print these (see skeleton.go).
func (p *SignatureConfirmParams) printedTexts() []*string {
	return []*string{&p.Campaign, &p.ConfirmLink, &p.WithdrawLink, &p.Name, &p.Shown}
}

func init() {
	register(KindSignatureConfirm, "signature_confirm.subject", func() any { return &SignatureConfirmParams{} })
}

// SignatureConfirm describes the confirmation email for the queue.
func SignatureConfirm(lang string, p SignatureConfirmParams) Outgoing {
	return outgoing(KindSignatureConfirm, lang, p)
}
