package mailers

// KindPasswordReset is a staff member's password reset link.
const KindPasswordReset = "password_reset"

// PasswordResetParams are the password reset email's parameters.
type PasswordResetParams struct {
	// Link is {PUBLIC_URL}/reset/{token}.
	Link    string `json:"link"`
	Minutes int    `json:"minutes"`
}

// printedTexts: the templates only print these (see skeleton.go).
func (p *PasswordResetParams) printedTexts() []*string {
	return []*string{&p.Link}
}

func init() {
	register(KindPasswordReset, "password_reset.subject", func() any { return &PasswordResetParams{} })
}

// PasswordReset describes the password reset email for the queue; the
// store fills in the account's address.
func PasswordReset(p PasswordResetParams) Outgoing {
	return PasswordResetIn("en", p)
}

// PasswordResetIn is PasswordReset written in lang, the language of the
// page the reset was asked from.
func PasswordResetIn(lang string, p PasswordResetParams) Outgoing {
	return outgoing(KindPasswordReset, lang, p)
}
