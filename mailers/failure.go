package mailers

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/textproto"
	"regexp"
	"strings"
	"syscall"

	"github.com/wneessen/go-mail"
)

// Failure says what a failed send means for the message.
type Failure int

// The kinds of failure, from the queue's point of view.
const (
	// FailTemporary: a 4xx reply to the message; try again soon, then back off.
	FailTemporary Failure = iota
	// FailRateLimited: a 4xx asking the sender to slow down; back off at once.
	FailRateLimited
	// FailRejected: a 5xx reply or a message that cannot be built; never retried.
	FailRejected
	// FailBounced: a 5xx refusing the address itself; never retried, and the
	// address should not be written to again.
	FailBounced
	// FailUnavailable: the server could not be reached or kept dropping the
	// connection; not the message's fault, so no attempt is charged.
	FailUnavailable
)

// permanentError marks a failure that no retry can mend.
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

// Permanent marks err as a failure that must not be retried.
func Permanent(err error) error { return permanentError{err} }

// unavailableError marks a failure of the connection, not of the message.
type unavailableError struct{ error }

func (e unavailableError) Unwrap() error { return e.error }

// Unavailable marks err as the server being out of reach: the message
// waits without an attempt charged.
func Unavailable(err error) error {
	if err == nil {
		err = errors.New("mailers: the SMTP server is unavailable")
	}
	return unavailableError{err}
}

// Diagnose tells what a failed send means and gives the reason to record,
// with addresses removed.
func Diagnose(err error) (Failure, string) {
	reason := Redact(err.Error())
	var pe permanentError
	var ue unavailableError
	var se *mail.SendError
	switch {
	case errors.As(err, &pe):
		return FailRejected, reason
	case errors.As(err, &ue):
		return FailUnavailable, reason
	case errors.As(err, &se) && se.ErrorCode() >= 500:
		if se.Reason == mail.ErrSMTPRcptTo || addressStatus.MatchString(se.EnhancedStatusCode()) || addressStatus.MatchString(err.Error()) {
			return FailBounced, reason
		}
		return FailRejected, reason
	case errors.As(err, &se) && se.ErrorCode() >= 400:
		if rateLimit.MatchString(err.Error()) {
			return FailRateLimited, reason
		}
		return FailTemporary, reason
	}
	return FailTemporary, reason
}

// Classify tells a permanent failure (an SMTP 5xx reply, or a message that
// cannot be built) from a temporary one, with the reason to record.
func Classify(err error) (permanent bool, reason string) {
	f, reason := Diagnose(err)
	return f == FailRejected || f == FailBounced, reason
}

var (
	// addressStatus: RFC 3463 5.1.x (bad address) and 5.2.1/5.2.2
	// (mailbox disabled or full for good).
	addressStatus = regexp.MustCompile(`\b5\.1\.\d{1,3}\b|\b5\.2\.[12]\b`)
	rateLimit     = regexp.MustCompile(`(?i)rate|too many|throttl|slow down|limit exceeded|4\.7\.28`)
	tooMany       = regexp.MustCompile(`(?i)too many|connection limit|concurrent|busy`)
)

// connectionFault reports whether err left no usable connection and says
// nothing about the message: a 421 (the server is closing the channel),
// the connection closed, reset or broken, a command timed out, or a reply
// out of step with the command.
func connectionFault(err error) bool {
	var se *mail.SendError
	if errors.As(err, &se) && se.ErrorCode() == 421 {
		return true
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code == 421
	}
	var pe textproto.ProtocolError
	var ne net.Error
	switch {
	case errors.As(err, &pe), errors.As(err, &ne),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED):
		return true
	}
	// go-mail keeps only the text of the cause. Without an error code, the
	// server did not refuse the message: the connection broke, timed out,
	// or answered out of step (a 2xx or 3xx where another reply was due).
	if errors.As(err, &se) && se.ErrorCode() == 0 {
		switch se.Reason {
		case mail.ErrGetSender, mail.ErrGetRcpts, mail.ErrNoUnencoded:
			return false
		}
		return true
	}
	return false
}

// tooManyConnections reports whether a refused connection reads as the
// server's limit on connections: said so, or a 4xx greeting while other
// connections are open.
func tooManyConnections(err error, open int) bool {
	var te *textproto.Error
	if errors.As(err, &te) {
		return tooMany.MatchString(te.Msg) || (te.Code >= 400 && te.Code < 500 && open > 0)
	}
	return tooMany.MatchString(err.Error())
}

// isTLSError reports a failed TLS handshake or an untrusted certificate.
func isTLSError(err error) bool {
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	var he x509.HostnameError
	var rh tls.RecordHeaderError
	var ae tls.AlertError
	var ve *tls.CertificateVerificationError
	return errors.As(err, &ua) || errors.As(err, &ci) || errors.As(err, &he) || errors.As(err, &rh) ||
		errors.As(err, &ae) || errors.As(err, &ve) || strings.Contains(err.Error(), "tls:") || strings.Contains(err.Error(), "x509:")
}

var addressPattern = regexp.MustCompile(`[^\s<>,;:"']+@[^\s<>,;:"']+`)

// Redact removes email addresses from a server's reply before it is
// stored or logged.
func Redact(s string) string {
	s = addressPattern.ReplaceAllString(s, "<address>")
	if len(s) > 500 {
		s = s[:500]
	}
	return s
}
