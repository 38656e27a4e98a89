package mailers

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// Transport delivers a rendered message: over SMTP, into the dev outbox, or
// into a test's recorder.
type Transport interface {
	Send(ctx context.Context, m *Message) error
}

// SMTPOption tunes the SMTP transport.
type SMTPOption func(*smtpConfig)

type smtpConfig struct {
	helo        string
	caFile      string
	timeout     time.Duration
	idleTimeout time.Duration
	raiseAfter  time.Duration
}

// WithHELO sets the name the transport greets the server with (EHLO);
// the default is the machine's host name.
func WithHELO(name string) SMTPOption { return func(c *smtpConfig) { c.helo = name } }

// WithCAFile trusts the PEM certificates in file, besides the system's,
// for the server's TLS certificate (a relay with its own CA).
func WithCAFile(file string) SMTPOption { return func(c *smtpConfig) { c.caFile = file } }

// WithTimeouts sets how long one SMTP command may take (default 30 s) and
// how long a connection may stay idle before the transport closes it
// (default 5 s, under any server's idle timeout).
func WithTimeouts(command, idle time.Duration) SMTPOption {
	return func(c *smtpConfig) { c.timeout, c.idleTimeout = command, idle }
}

// SMTP sends through one SMTP server over a pool of reused connections, at
// most one message at a time on each. A connection left in an unknown
// state by any error is closed, never reused; one idle for a while is
// closed before the server's own idle timeout can cut it. If the server
// refuses a further connection ("too many connections") while others are
// open, the pool works with fewer instead of failing messages, and tries
// one more after a while.
type SMTP struct {
	from   string
	client *mail.Client // settings only: each pooled connection is its own smtp.Client
	cfg    smtpConfig

	mu      sync.Mutex
	idle    []*smtpConn // most recently used last
	busy    int         // connections handed out or being dialled
	limit   int         // connections allowed now (lowered by refusals)
	max     int
	raiseAt time.Time
	freed   chan struct{} // closed and replaced whenever a slot frees
	closed  bool
	stop    chan struct{}
}

type smtpConn struct {
	c        *smtp.Client
	lastUsed time.Time
}

// NewSMTP configures delivery from SMTP_URL: smtp://user:pass@host:587
// requires STARTTLS, smtps://host:465 is implicit TLS, and
// smtp://host:25?tls=none is plain (a local relay or a test server). At most
// connections are open at once; each is dialled on first use and kept
// while it is busy.
func NewSMTP(u *url.URL, from string, connections int, options ...SMTPOption) (*SMTP, error) {
	cfg := smtpConfig{timeout: 30 * time.Second, idleTimeout: 5 * time.Second, raiseAfter: 5 * time.Minute}
	for _, o := range options {
		o(&cfg)
	}
	opts := []mail.Option{mail.WithTimeout(cfg.timeout), mail.WithoutNoop()}
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
	if cfg.helo != "" {
		opts = append(opts, mail.WithHELO(cfg.helo))
	}
	tlsConfig, err := tlsConfigFor(u.Hostname(), cfg.caFile)
	if err != nil {
		return nil, err
	}
	opts = append(opts, mail.WithTLSConfig(tlsConfig))
	client, err := mail.NewClient(u.Hostname(), opts...)
	if err != nil {
		return nil, fmt.Errorf("mailers: SMTP client: %w", err)
	}
	s := &SMTP{from: from, client: client, cfg: cfg, limit: connections, max: connections,
		freed: make(chan struct{}), stop: make(chan struct{})}
	go s.closeIdle()
	return s, nil
}

// tlsConfigFor trusts the system's CAs (SSL_CERT_FILE replaces them, as
// everywhere in Go) and those in caFile.
func tlsConfigFor(host, caFile string) (*tls.Config, error) {
	c := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if caFile == "" {
		return c, nil
	}
	pem, err := os.ReadFile(caFile) //nolint:gosec // the operator's own setting
	if err != nil {
		return nil, fmt.Errorf("mailers: SMTP_CA_FILE: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("mailers: SMTP_CA_FILE %s holds no PEM certificate", caFile)
	}
	c.RootCAs = pool
	return c, nil
}

// maxResends bounds how often one Send redials after a connection fault.
const maxResends = 3

// Send delivers m over a pooled connection. A connection fault (the server
// closed the connection, answered 421, reset it, or let a command time
// out) is not the message's: Send dials afresh and sends again at once, a
// few times, before it gives up with an Unavailable error. A reply to the
// message itself (4xx, 5xx) is returned as it is; Diagnose tells them apart.
func (s *SMTP) Send(ctx context.Context, m *Message) error {
	msg, err := buildMsg(s.from, m)
	if err != nil {
		return err
	}
	var last error
	for try := 0; try < maxResends; try++ {
		c, err := s.acquire(ctx)
		if err != nil {
			return err
		}
		if c == nil {
			if c, err = s.dial(ctx); err != nil {
				if errors.Is(err, errFewerConnections) {
					try-- // not a fault of this connection: wait for one already open
					continue
				}
				return err
			}
		}
		err = s.client.SendWithSMTPClient(c.c, msg)
		var se *mail.SendError
		if err == nil || (errors.As(err, &se) && se.Reason == mail.ErrSMTPReset && msg.IsDelivered()) {
			// Accepted; a failed RSET afterwards only spoils the connection.
			s.release(c, err == nil)
			return nil
		}
		// After any error the connection's state is unknown (a reply may be
		// pending, or the server gone): it is never used again.
		s.release(c, false)
		if !connectionFault(err) {
			return err
		}
		last = err
		slog.Info("smtp: connection lost; sending again on a new one", "reason", Redact(err.Error()))
	}
	return Unavailable(last)
}

// errFewerConnections: the server refused another connection and the pool
// now works with those it has.
var errFewerConnections = errors.New("mailers: the SMTP server refused another connection")

// dial opens a connection for a slot taken by acquire.
func (s *SMTP) dial(ctx context.Context) (*smtpConn, error) {
	c, err := s.client.DialToSMTPClientWithContext(ctx)
	if err == nil {
		return &smtpConn{c: c}, nil
	}
	s.mu.Lock()
	open := len(s.idle) + s.busy - 1 // without this failed one
	lowered := tooManyConnections(err, open) && open > 0
	if lowered {
		s.limit = open
		s.raiseAt = time.Now().Add(s.cfg.raiseAfter)
	}
	s.mu.Unlock()
	s.release(nil, false)
	if lowered {
		slog.Warn("smtp: the server refused another connection; sending over fewer", "connections", open, "reason", Redact(err.Error()))
		return nil, errFewerConnections
	}
	if isTLSError(err) {
		slog.Warn("smtp: TLS with the server failed; set SMTP_CA_FILE if it uses its own CA", "reason", err.Error())
	}
	return nil, Unavailable(fmt.Errorf("mailers: connect to SMTP server: %w", err))
}

// acquire takes a connection slot, waiting while all are busy. It returns
// an idle connection to reuse, or nil: the caller dials one.
func (s *SMTP) acquire(ctx context.Context) (*smtpConn, error) {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil, Unavailable(errors.New("mailers: the SMTP transport is closed"))
		}
		if s.limit < s.max && !s.raiseAt.IsZero() && time.Now().After(s.raiseAt) {
			s.limit++
			s.raiseAt = time.Now().Add(s.cfg.raiseAfter)
		}
		if s.busy < s.limit {
			s.busy++
			for len(s.idle) > 0 {
				c := s.idle[len(s.idle)-1]
				s.idle = s.idle[:len(s.idle)-1]
				if time.Since(c.lastUsed) < s.cfg.idleTimeout {
					s.mu.Unlock()
					return c, nil
				}
				go quit(c)
			}
			s.mu.Unlock()
			return nil, nil
		}
		freed := s.freed
		s.mu.Unlock()
		select {
		case <-freed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// release gives a slot back, with its connection if it may be reused.
func (s *SMTP) release(c *smtpConn, reuse bool) {
	s.mu.Lock()
	s.busy--
	if c != nil {
		if reuse && !s.closed && len(s.idle)+s.busy < s.limit {
			c.lastUsed = time.Now()
			s.idle = append(s.idle, c)
			c = nil
		}
	}
	close(s.freed)
	s.freed = make(chan struct{})
	s.mu.Unlock()
	if c != nil {
		if reuse {
			go quit(c)
		} else {
			_ = c.c.Close()
		}
	}
}

// closeIdle closes connections idle for longer than the idle timeout.
func (s *SMTP) closeIdle() {
	tick := time.NewTicker(max(s.cfg.idleTimeout/4, 10*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
		}
		s.mu.Lock()
		var stale []*smtpConn
		kept := s.idle[:0]
		for _, c := range s.idle {
			if time.Since(c.lastUsed) >= s.cfg.idleTimeout {
				stale = append(stale, c)
			} else {
				kept = append(kept, c)
			}
		}
		s.idle = kept
		s.mu.Unlock()
		for _, c := range stale {
			quit(c)
		}
	}
}

// quit ends a healthy connection politely, within a second.
func quit(c *smtpConn) {
	_ = c.c.UpdateDeadline(time.Second)
	if err := c.c.Quit(); err != nil {
		_ = c.c.Close()
	}
}

// Close closes every idle connection; those in use close when released.
func (s *SMTP) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	idle := s.idle
	s.idle = nil
	close(s.stop)
	s.mu.Unlock()
	for _, c := range idle {
		quit(c)
	}
}

// Connections reports how many connections the pool may open now: fewer
// than configured after the server refused some.
func (s *SMTP) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limit
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
