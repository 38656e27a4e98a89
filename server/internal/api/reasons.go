package api

import (
	"net/http"
	"sort"
)

// A refusal that is not about one field (a 409, a 401) carries, beside its
// class in code ("conflict"), a stable reason ("campaign_closed") that
// clients translate, so that rewording the English message never turns a
// page English. Every reason is declared once below with defineReason;
// TestEveryReasonIsTranslated fails when a dictionary lacks one.
var reasonCodes = map[string]int{}

// defineReason declares a reason and the status it is sent with.
func defineReason(reason string, status int) string {
	if _, dup := reasonCodes[reason]; dup {
		panic("api: reason declared twice: " + reason)
	}
	reasonCodes[reason] = status
	return reason
}

// sortedReasons lists every reason in order.
func sortedReasons() []string {
	out := make([]string, 0, len(reasonCodes))
	for k := range reasonCodes {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var (
	reasonExists               = defineReason("exists", http.StatusConflict)
	reasonCampaignClosed       = defineReason("campaign_closed", http.StatusConflict)
	reasonCampaignNotOpen      = defineReason("campaign_not_open", http.StatusConflict)
	reasonDigestSent           = defineReason("digest_sent", http.StatusConflict)
	reasonDigestSending        = defineReason("digest_sending", http.StatusConflict)
	reasonDigestCancelled      = defineReason("digest_cancelled", http.StatusConflict)
	reasonDigestNotCancellable = defineReason("digest_not_cancellable", http.StatusConflict)
	reasonLogInconsistent      = defineReason("log_inconsistent", http.StatusConflict)
	reasonCountChanged         = defineReason("count_changed", http.StatusConflict)
	reasonEndorsementStatus    = defineReason("endorsement_status", http.StatusConflict)
	reasonUpdateLocked         = defineReason("update_locked", http.StatusConflict)
	reasonUpdateSent           = defineReason("update_sent", http.StatusConflict)
	reasonLastAdmin            = defineReason("last_admin", http.StatusConflict)

	reasonWrongCredentials = defineReason("wrong_credentials", http.StatusUnauthorized)
	reasonSignInFirst      = defineReason("sign_in_first", http.StatusUnauthorized)
	reasonSessionEnded     = defineReason("session_ended", http.StatusUnauthorized)
	reasonPreviewLink      = defineReason("preview_link_invalid", http.StatusUnauthorized)
)

// errConflict is a 409 with its reason and an English message.
func errConflict(reason, msg string) *Error {
	return &Error{Status: http.StatusConflict, Code: "conflict", Reason: reason, Message: msg}
}

// errUnauthorized is a 401 with its reason and an English message.
func errUnauthorized(reason, msg string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: "unauthorized", Reason: reason, Message: msg}
}

// digestStateReason is why a digest in status can no longer be sent.
func digestStateReason(status string) string {
	switch status {
	case "sent":
		return reasonDigestSent
	case "cancelled":
		return reasonDigestCancelled
	}
	return reasonDigestSending
}
