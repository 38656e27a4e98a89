package mailers

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/wneessen/go-mail"
)

// Transport delivers a rendered message: over SMTP, into the dev outbox, or
// into a test's recorder.
type Transport interface {
	Send(ctx context.Context, m *Message) error
}

// SMTP sends through one SMTP server over a small pool of reused
// connections (go-mail clients), one per concurrent sender.
type SMTP struct {
	from  string
	host  string
	opts  []mail.Option
	conns chan *smtpConn
}

type smtpConn struct {
	client    *mail.Client
	connected bool
}

// NewSMTP configures delivery from SMTP_URL: smtp://user:pass@host:587
// requires STARTTLS, smtps://host:465 is implicit TLS, and
// smtp://host:25?tls=none is plain (a local relay or a test server). At most
// connections are open at once; each is dialled on first use and kept.
func NewSMTP(u *url.URL, from string, connections int) (*SMTP, error) {
	opts := []mail.Option{mail.WithTimeout(30 * time.Second), mail.WithoutNoop()}
	port := 587
	switch {
	case u.Scheme == "smtps":
		port = 465
		opts = append(opts, mail.WithSSL())
	case u.Query().Get("tls") == "none":
		port = 25
		opts = append(opts, mail.WithTLSPortPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPortPolicy(mail.TLSMandatory))
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("mailers: SMTP_URL port: %w", err)
		}
		port = n
	}
	opts = append(opts, mail.WithPort(port))
	if u.User != nil {
		pass, _ := u.User.Password()
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(u.User.Username()), mail.WithPassword(pass))
	}
	s := &SMTP{from: from, host: u.Hostname(), opts: opts, conns: make(chan *smtpConn, connections)}
	for i := 0; i < connections; i++ {
		c, err := mail.NewClient(s.host, s.opts...)
		if err != nil {
			return nil, fmt.Errorf("mailers: SMTP client: %w", err)
		}
		s.conns <- &smtpConn{client: c}
	}
	return s, nil
}

// Send delivers m over a pooled connection, dialling it first if needed.
// An SMTP reply (4xx, 5xx) leaves the connection in use; a broken
// connection is closed and dialled afresh next time. A connection the
// server closed while idle is redialled once at once, since the message
// never left.
func (s *SMTP) Send(ctx context.Context, m *Message) error {
	var c *smtpConn
	select {
	case c = <-s.conns:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { s.conns <- c }()
	msg, err := buildMsg(s.from, m)
	if err != nil {
		return err
	}
	for try := 0; ; try++ {
		if !c.connected {
			if err := c.client.DialWithContext(ctx); err != nil {
				return fmt.Errorf("mailers: connect to SMTP server: %w", err)
			}
			c.connected = true
		}
		err := c.client.Send(msg)
		var se *mail.SendError
		if err == nil || (errors.As(err, &se) && se.ErrorCode() > 0) {
			return err
		}
		_ = c.client.Close()
		c.connected = false
		if try > 0 || !errors.As(err, &se) || se.Reason != mail.ErrConnCheck {
			return err
		}
	}
}

// Close closes every pooled connection.
func (s *SMTP) Close() {
	for i := 0; i < cap(s.conns); i++ {
		c := <-s.conns
		if c.connected {
			_ = c.client.Close()
		}
	}
}

// buildMsg turns a rendered message into a MIME message with both parts.
func buildMsg(from string, m *Message) (*mail.Msg, error) {
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := msg.From(from); err != nil {
		return nil, Permanent(fmt.Errorf("mailers: MAIL_FROM: %w", err))
	}
	if err := msg.To(m.To); err != nil {
		return nil, Permanent(errors.New("mailers: the recipient address is not valid"))
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDate()
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	for k, v := range m.Headers {
		msg.SetGenHeader(mail.Header(k), v)
	}
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	return msg, nil
}

// permanentError marks a failure that no retry can mend.
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

// Permanent marks err as a failure that must not be retried.
func Permanent(err error) error { return permanentError{err} }

// Classify tells a permanent failure (an SMTP 5xx reply, or a message that
// cannot be built) from a temporary one (4xx, a connection error, a
// timeout), and gives the reason to record, with addresses removed.
func Classify(err error) (permanent bool, reason string) {
	var pe permanentError
	var se *mail.SendError
	switch {
	case errors.As(err, &pe):
		permanent = true
	case errors.As(err, &se):
		permanent = !se.IsTemp() && se.ErrorCode() >= 500
	}
	return permanent, Redact(err.Error())
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
