package smtptest

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Faults are the ways real SMTP servers misbehave, for the server to
// show on demand. Counts run over every message the server is offered,
// whatever the connection; zero turns a fault off.
type Faults struct {
	// TempEvery answers 451 to every Nth message (at the end of DATA).
	TempEvery int
	// CloseEvery answers 421 to the MAIL FROM of every Nth message and
	// closes the connection, as a server shutting down or timing out does.
	CloseEvery int
	// StallEvery leaves the DATA of every Nth message unanswered for
	// StallFor, then drops the connection without taking the message.
	StallEvery int
	StallFor   time.Duration
	// DesyncEvery sends one reply too many after accepting every Nth
	// message, leaving the connection out of step: each later reply on it
	// answers the command before.
	DesyncEvery int
	// IdleTimeout drops a connection idle this long with "421 4.4.2 Idle
	// timeout", as Postfix's smtpd_timeout does. It applies to the
	// connections made after SetFaults.
	IdleTimeout time.Duration
	// MaxConnections refuses connections beyond this many open at once
	// with "421 4.7.0 Error: too many connections", as Postfix does.
	MaxConnections int
}

// StartWith starts a server that shows faults from the start.
func StartWith(t testing.TB, f Faults) *Server {
	t.Helper()
	s := &Server{t: t, addr: "127.0.0.1:0", attempts: map[string]int{}, arrived: make(chan struct{}, 1<<16), faults: f}
	s.Restart()
	t.Cleanup(s.Stop)
	return s
}

// SetFaults changes the faults from now on (IdleTimeout: for new
// connections after a Restart).
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// Down stops the server for d, then starts it again on the same address.
// It returns at once; the returned channel is closed once the server is
// back.
func (s *Server) Down(d time.Duration) <-chan struct{} {
	s.Stop()
	back := make(chan struct{})
	go func() {
		defer close(back)
		time.Sleep(d)
		s.Restart()
	}()
	return back
}

// Stats are what the server saw, to check a client's behaviour.
type Stats struct {
	// Connections counts the connections accepted; Refused those turned
	// away by MaxConnections; MaxOpen is the most open at once.
	Connections, Refused, MaxOpen int
	// Closed counts the connections that ended, by either side.
	Closed int
	// Offered counts the messages offered (MAIL FROM).
	Offered int
}

// Stats returns what the server saw so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Helos returns the names clients greeted the server with.
func (s *Server) Helos() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.helos...)
}

// nth counts one more event and reports whether it is an Nth.
func nth(counter *int, every int) bool {
	*counter++
	return every > 0 && *counter%every == 0
}

// limitListener turns away connections beyond the server's limit.
type limitListener struct {
	net.Listener
	s    *Server
	open atomic.Int32
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.s.mu.Lock()
		limit := l.s.faults.MaxConnections
		open := int(l.open.Load())
		if limit > 0 && open >= limit {
			l.s.stats.Refused++
			l.s.mu.Unlock()
			_ = c.SetWriteDeadline(time.Now().Add(time.Second))
			_, _ = c.Write([]byte("421 4.7.0 smtptest.localhost Error: too many connections\r\n"))
			_ = c.Close()
			continue
		}
		l.s.stats.Connections++
		l.s.stats.MaxOpen = max(l.s.stats.MaxOpen, open+1)
		l.s.mu.Unlock()
		l.open.Add(1)
		return &countedConn{Conn: c, l: l}, nil
	}
}

type countedConn struct {
	net.Conn
	l    *limitListener
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() {
		c.l.open.Add(-1)
		c.l.s.mu.Lock()
		c.l.s.stats.Closed++
		c.l.s.mu.Unlock()
	})
	return c.Conn.Close()
}

// closeWith421 answers 421 and closes the connection at once.
func closeWith421(c *smtp.Conn) {
	nc := c.Conn()
	_ = nc.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = nc.Write([]byte("421 4.3.2 smtptest.localhost Service shutting down, closing channel\r\n"))
	_ = nc.Close()
}
