package storetest

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// A new PostgreSQL connection costs the server a process: on the test
// machines, about 30 ms of CPU (fork, page faults, catalog caches), and a
// test's store opens several. So a store on a pooled schema connects
// through the parking lot, a session pooler in the test process: when a
// client ends its session (pgx sends Terminate when it closes a
// connection), the lot resets the server session with DISCARD ALL and
// parks it; the next client that starts a session with the same
// parameters (the same database and user; its own schema is set with
// search_path) gets it, with the greeting the server sent at its start.
// DISCARD ALL leaves nothing of the last session: no settings, prepared
// statements, locks, temporary tables or notifications. A client that goes
// away without Terminate, or in a transaction, takes its server session
// with it.

// maxParked bounds the idle server sessions the lot keeps.
const maxParked = 40

// parkingLot listens on a Unix socket (and on the loopback, for child
// processes) and passes sessions to the server.
type parkingLot struct {
	dir     string // the folder of its socket, .s.PGSQL.5432
	ln      net.Listener
	tcp     net.Listener // on the loopback, for child processes
	network string       // how to reach the server: "tcp" or "unix"
	server  string

	mu     sync.Mutex
	idle   map[string][]*serverSession // by startup parameters
	parked int
	// parkedOne is closed (and replaced) when a session is parked.
	parkedOne chan struct{}
}

// serverSession is an authenticated session on the server.
type serverSession struct {
	conn     net.Conn
	r        *bufio.Reader
	key      string
	path     string // the search_path the session started with, to which DISCARD ALL returns
	greeting []byte // what the server sent after authenticating: parameters, key data, ready
}

// theLot is started on first use; nil where TEST_DATABASE_URL asks for TLS,
// which the lot does not speak (tests then connect directly). Clients reach
// it on a Unix socket, and it reaches a server on this machine on the
// server's own Unix socket where that works: a round trip on the loopback
// costs twice the system time of one on a socket.
var theLot = sync.OnceValues(func() (*parkingLot, error) {
	u, err := url.Parse(os.Getenv("TEST_DATABASE_URL"))
	if err != nil {
		return nil, err
	}
	q := u.Query()
	if q.Get("sslmode") != "disable" {
		return nil, nil
	}
	l := &parkingLot{network: "tcp", idle: map[string][]*serverSession{}, parkedOne: make(chan struct{})}
	host, port := u.Hostname(), u.Port()
	if h := q.Get("host"); h != "" {
		host = h
	}
	if port == "" {
		port = "5432"
	}
	switch {
	case strings.HasPrefix(host, "/"):
		l.network, l.server = "unix", host+"/.s.PGSQL."+port
	case host == "":
		return nil, nil
	default:
		l.server = net.JoinHostPort(host, port)
		if socket := localSocket(u); socket != "" {
			l.network, l.server = "unix", socket
		}
	}
	removeStaleLots()
	if l.dir, err = os.MkdirTemp("", fmt.Sprintf("storetest-lot-%d-", os.Getpid())); err != nil {
		return nil, err
	}
	if l.ln, err = net.Listen("unix", filepath.Join(l.dir, ".s.PGSQL.5432")); err != nil {
		return nil, err
	}
	// Child processes run the binary, whose DATABASE_URL names a host.
	if l.tcp, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return nil, err
	}
	for _, ln := range []net.Listener{l.ln, l.tcp} {
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go l.serve(c)
			}
		}()
	}
	return l, nil
})

// localSocket returns the Unix socket of a server on the loopback, if a
// connection to it with the URL's credentials works ("" otherwise).
func localSocket(u *url.URL) string {
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, u.String())
	if err != nil {
		return ""
	}
	var dirs string
	err = c.QueryRow(ctx, "SHOW unix_socket_directories").Scan(&dirs)
	_ = c.Close(ctx)
	if err != nil {
		return ""
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	for _, dir := range strings.Split(dirs, ",") {
		dir = strings.TrimSpace(dir)
		if !strings.HasPrefix(dir, "/") {
			continue
		}
		via := *u
		q := via.Query()
		q.Set("host", dir)
		via.RawQuery = q.Encode()
		via.Host = ""
		if c, err := pgx.Connect(ctx, via.String()); err == nil {
			_ = c.Close(ctx)
			return filepath.Join(dir, ".s.PGSQL."+port)
		}
	}
	return ""
}

// removeStaleLots removes the socket folders of test processes that ended.
func removeStaleLots() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "storetest-lot-*"))
	for _, dir := range dirs {
		var pid int
		if _, err := fmt.Sscanf(filepath.Base(dir), "storetest-lot-%d-", &pid); err != nil || pid <= 0 {
			continue
		}
		if syscall.Kill(pid, 0) == syscall.ESRCH {
			_ = os.RemoveAll(dir)
		}
	}
}

// viaLot returns a PostgreSQL URL that connects through the lot's Unix
// socket, if a lot runs.
func viaLot(raw string) string { return throughLot(raw, false) }

// viaLotTCP returns a PostgreSQL URL that connects through the lot's
// loopback listener, if a lot runs.
func viaLotTCP(raw string) string { return throughLot(raw, true) }

func throughLot(raw string, tcp bool) string {
	l, err := theLot()
	if err != nil || l == nil {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Del("host")
	q.Del("port")
	if tcp {
		u.Host = l.tcp.Addr().String()
	} else {
		q.Set("host", l.dir)
		u.Host = ""
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// serve carries one client session.
func (l *parkingLot) serve(client net.Conn) {
	defer client.Close()
	cr := bufio.NewReader(client)
	var startup []byte
	var params map[string]string
	for startup == nil {
		packet, err := readStartup(cr)
		if err != nil {
			return
		}
		switch code := binary.BigEndian.Uint32(packet[4:8]); code {
		case sslRequest, gssRequest:
			if _, err := client.Write([]byte{'N'}); err != nil {
				return
			}
		case cancelCodes:
			// The key data is the server's own: pass the request on.
			if s, err := net.Dial(l.network, l.server); err == nil {
				_, _ = s.Write(packet)
				_ = s.Close()
			}
			return
		case protocol3:
			startup, params = packet, startupParams(packet[8:])
		default:
			return
		}
	}
	key := sessionKey(params)
	path := params["search_path"]
	s := l.take(key)
	if s != nil && path != s.path && !s.setPath(path) {
		_ = s.conn.Close()
		s = nil
	}
	if s != nil {
		if _, err := client.Write(s.greeting); err != nil {
			if s.reset() { // back to its own search_path
				l.park(s)
			} else {
				_ = s.conn.Close()
			}
			return
		}
	} else {
		var err error
		if s, err = l.connect(startup, key, client, cr); err != nil {
			return
		}
		s.path = path
	}
	if l.relay(client, cr, s) && s.reset() {
		l.park(s)
		return
	}
	_ = s.conn.Close()
}

// connect starts a server session for a client, passing the
// authentication exchange between them and keeping the greeting.
func (l *parkingLot) connect(startup []byte, key string, client net.Conn, cr *bufio.Reader) (*serverSession, error) {
	conn, err := net.Dial(l.network, l.server)
	if err != nil {
		return nil, err
	}
	s := &serverSession{conn: conn, r: bufio.NewReader(conn), key: key}
	fail := func(err error) (*serverSession, error) {
		_ = conn.Close()
		return nil, err
	}
	if _, err := conn.Write(startup); err != nil {
		return fail(err)
	}
	authenticated := false
	for {
		msg, err := readMessage(s.r)
		if err != nil {
			return fail(err)
		}
		if _, err := client.Write(msg); err != nil {
			return fail(err)
		}
		switch {
		case msg[0] == 'E':
			return fail(errors.New("the server refused the session"))
		case msg[0] == 'R' && len(msg) >= 9:
			switch binary.BigEndian.Uint32(msg[5:9]) {
			case 0: // AuthenticationOk
				authenticated = true
			case 3, 5, 10, 11: // a password or SASL step: the client answers
				answer, err := readMessage(cr)
				if err != nil {
					return fail(err)
				}
				if _, err := conn.Write(answer); err != nil {
					return fail(err)
				}
			}
		case authenticated:
			s.greeting = append(s.greeting, msg...)
			if msg[0] == 'Z' {
				return s, nil
			}
		}
	}
}

// relay passes bytes both ways until either side ends, and reports
// whether the client ended the session with Terminate while the server
// was idle, between messages, outside a transaction. Bytes pass in the
// chunks they arrive in; a framer follows where messages begin.
func (l *parkingLot) relay(client net.Conn, cr *bufio.Reader, s *serverSession) bool {
	type end struct {
		between bool // the server side stopped between two messages
		status  byte // the last ReadyForQuery's transaction status
		ready   int  // ReadyForQuery messages passed
	}
	ended := make(chan end, 1)
	go func() {
		f := framer{status: 'I'}
		buf := make([]byte, 32<<10)
		for {
			n, err := s.r.Read(buf)
			if n > 0 {
				if _, ok := f.feed(buf[:n], 0); !ok {
					err = errors.New("a message of impossible length")
				} else if _, werr := client.Write(buf[:n]); werr != nil {
					// The client is gone; its reader sees it too.
					_ = client.Close()
				}
			}
			if err != nil {
				ended <- end{between: f.between() && isTimeout(err), status: f.status, ready: f.count['Z']}
				return
			}
		}
	}()
	terminated := false
	f := framer{}
	buf := make([]byte, 32<<10)
	for !terminated {
		n, err := cr.Read(buf)
		if n > 0 {
			upTo, ok := f.feed(buf[:n], 'X')
			if !ok {
				break
			}
			terminated = upTo < n
			if _, werr := s.conn.Write(buf[:upTo]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	// Stop the server side's reader where it waits.
	_ = s.conn.SetReadDeadline(time.Now())
	e := <-ended
	_ = s.conn.SetReadDeadline(time.Time{})
	// Idle means every query and sync the client sent has had its
	// ReadyForQuery (a client whose context ends mid-query sends
	// Terminate at once), and no extended-protocol message waits for a
	// sync.
	answered := e.ready == f.count['Q']+f.count['S']
	return terminated && e.between && e.status == 'I' && answered && !f.extended
}

// reset ends what the last client left in its session. Only DISCARD
// ALL's own answer may come: anything else is an answer the last client
// left unread, and the session is not idle.
func (s *serverSession) reset() bool { return s.query("DISCARD ALL", "DISCARD ALL", false) }

// setPath gives a session the search_path a new client started with (a
// session is shared by every schema: a new one costs far more than a SET).
// search_path is no parameter the server reports, so the greeting holds.
func (s *serverSession) setPath(path string) bool {
	return s.query("SELECT set_config('search_path', '"+strings.ReplaceAll(path, "'", "''")+"', false)", "SELECT 1", true)
}

// query runs one simple query on a session between clients and reports
// whether its answer ended with the command tag given, rows only if
// asked for, and left the session idle.
func (s *serverSession) query(sql, tag string, rows bool) bool {
	msg := make([]byte, 5, 6+len(sql))
	msg[0] = 'Q'
	binary.BigEndian.PutUint32(msg[1:5], uint32(5+len(sql)))
	msg = append(append(msg, sql...), 0)
	_ = s.conn.SetDeadline(time.Now().Add(2 * time.Second))
	defer func() { _ = s.conn.SetDeadline(time.Time{}) }()
	if _, err := s.conn.Write(msg); err != nil {
		return false
	}
	done := false
	for {
		reply, err := readMessage(s.r)
		if err != nil {
			return false
		}
		switch reply[0] {
		case 'S', 'N': // parameters reset, notices
		case 'T', 'D':
			if !rows {
				return false
			}
		case 'C':
			done = string(reply[5:]) == tag+"\x00"
		case 'Z':
			return done && len(reply) == 6 && reply[5] == 'I'
		default:
			return false
		}
	}
}

// take hands out a parked session started with the same parameters.
func (l *parkingLot) take(key string) *serverSession {
	l.mu.Lock()
	defer l.mu.Unlock()
	list := l.idle[key]
	if len(list) == 0 {
		return nil
	}
	s := list[len(list)-1]
	l.idle[key] = list[:len(list)-1]
	l.parked--
	return s
}

// park keeps a reset session for the next client, if there is room.
func (l *parkingLot) park(s *serverSession) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.parked >= maxParked {
		_ = s.conn.Close()
		return
	}
	l.idle[s.key] = append(l.idle[s.key], s)
	l.parked++
	close(l.parkedOne)
	l.parkedOne = make(chan struct{})
}
