// Package smtptest runs a real SMTP server (emersion/go-smtp) inside a test,
// so that every email undersigned sends is checked as it arrives: its
// headers, both of its parts, and how often it came. The server can be told
// to answer with a temporary or permanent failure, and stopped and started
// again on the same address.
package smtptest

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Received is one message as the server accepted it.
type Received struct {
	From   string
	To     []string
	Header mail.Header
	Text   string
	HTML   string
	Raw    []byte
}

// Reply decides the answer to a message for a recipient: nil accepts it,
// an *smtp.SMTPError refuses it. attempt counts from 1 per recipient.
type Reply func(rcpt string, attempt int) error

// Server is an SMTP server for one test.
type Server struct {
	t    testing.TB
	addr string

	mu       sync.Mutex
	srv      *smtp.Server
	ln       net.Listener
	received []Received
	attempts map[string]int
	reply    Reply
	arrived  chan struct{}
	faults   Faults
	stats    Stats
	helos    []string
	tls      *tls.Config // set: STARTTLS is offered
	offered  int         // messages offered, for the faults' counts
	data     int         // DATA commands, for the faults' counts
}

// Start starts a server on a free loopback port, stopped when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, addr: "127.0.0.1:0", attempts: map[string]int{}, arrived: make(chan struct{}, 1<<16)}
	s.Restart()
	t.Cleanup(s.Stop)
	return s
}

// URL is the SMTP_URL that sends to this server in plain text.
func (s *Server) URL() *url.URL {
	u, _ := url.Parse("smtp://" + s.addr + "?tls=none")
	return u
}

// Addr is the server's address.
func (s *Server) Addr() string { return s.addr }

// SetReply sets how the server answers from now on (nil: accept all).
func (s *Server) SetReply(r Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reply = r
}

// Stop closes the server; messages sent meanwhile fail to connect.
func (s *Server) Stop() {
	s.mu.Lock()
	srv, ln := s.srv, s.ln
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if ln != nil {
		_ = ln.Close() // Serve may not have taken the listener in yet
	}
	if srv != nil {
		_ = srv.Close()
	}
}

// Restart starts the server again on the same address.
func (s *Server) Restart() {
	s.t.Helper()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the port may linger a moment after Stop
		if ln, err = (&net.ListenConfig{}).Listen(context.Background(), "tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("smtptest: listen: %v", err)
	}
	s.addr = ln.Addr().String()
	ln = &limitListener{Listener: ln, s: s}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "smtptest.localhost"
	srv.AllowInsecureAuth = true
	s.mu.Lock()
	srv.ReadTimeout = 10 * time.Second
	if s.faults.IdleTimeout > 0 {
		srv.ReadTimeout = s.faults.IdleTimeout
	}
	s.mu.Unlock()
	srv.WriteTimeout = 10 * time.Second
	srv.TLSConfig = s.tls
	srv.MaxMessageBytes = 10 << 20
	s.mu.Lock()
	s.srv, s.ln = srv, ln
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// Messages returns every message accepted so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// To returns the messages accepted for one recipient.
func (s *Server) To(rcpt string) []Received {
	var out []Received
	for _, m := range s.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, rcpt) {
				out = append(out, m)
			}
		}
	}
	return out
}

// Wait waits until n messages have been accepted in all, or fails the test
// after timeout.
func (s *Server) Wait(n int, timeout time.Duration) []Received {
	s.t.Helper()
	deadline := time.After(timeout)
	for {
		if msgs := s.Messages(); len(msgs) >= n {
			return msgs
		}
		select {
		case <-s.arrived:
		case <-deadline:
			s.t.Fatalf("smtptest: %d messages arrived within %v, want %d", len(s.Messages()), timeout, n)
		}
	}
}

// Temporary is a 451 reply; Permanent a 550.
var (
	Temporary = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	Permanent = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox here"}
)

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	b.s.mu.Lock()
	b.s.helos = append(b.s.helos, c.Hostname())
	b.s.mu.Unlock()
	return &session{s: b.s, conn: c}, nil
}

type session struct {
	s    *Server
	conn *smtp.Conn
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.s.mu.Lock()
	x.s.stats.Offered++
	closing := nth(&x.s.offered, x.s.faults.CloseEvery)
	x.s.mu.Unlock()
	if closing {
		closeWith421(x.conn)
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "closing"}
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

// Data answers after the whole message: the moment a real server accepts
// responsibility for it.
func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	n := x.s.data + 1
	x.s.data = n
	f := x.s.faults
	x.s.mu.Unlock()
	if f.StallEvery > 0 && n%f.StallEvery == 0 {
		// A server that never answers: the client gives up; the message is
		// not taken.
		time.Sleep(f.StallFor)
		_ = x.conn.Conn().Close()
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "stalled"}
	}
	if f.TempEvery > 0 && n%f.TempEvery == 0 {
		return Temporary
	}
	x.s.mu.Lock()
	reply := x.s.reply
	var refusal error
	for _, rcpt := range x.to {
		x.s.attempts[rcpt]++
		if reply != nil && refusal == nil {
			refusal = reply(rcpt, x.s.attempts[rcpt])
		}
	}
	x.s.mu.Unlock()
	if refusal != nil {
		return refusal
	}
	msg, err := parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "unparsable message: " + err.Error()}
	}
	if f.DesyncEvery > 0 && n%f.DesyncEvery == 0 {
		_, _ = x.conn.Conn().Write([]byte("250 2.0.0 one reply too many\r\n"))
	}
	msg.From, msg.To = x.from, append([]string(nil), x.to...)
	x.s.mu.Lock()
	x.s.received = append(x.s.received, msg)
	x.s.mu.Unlock()
	select {
	case x.s.arrived <- struct{}{}:
	default:
	}
	return nil
}

// parse reads the headers and the text and HTML parts of a message.
func parse(raw []byte) (Received, error) {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Received{}, err
	}
	rec := Received{Header: m.Header, Raw: raw}
	err = walk(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body, &rec)
	return rec, err
}

func walk(contentType, encoding string, body io.Reader, rec *Received) error {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			} else if err != nil {
				return err
			}
			if err := walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, rec); err != nil {
				return err
			}
		}
	}
	r := body
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64Reader(body)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	switch mediaType {
	case "text/plain":
		rec.Text = string(b)
	case "text/html":
		rec.HTML = string(b)
	}
	return nil
}
