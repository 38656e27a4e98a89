package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// connectTo connects to url and returns the server process's id.
func connectTo(t *testing.T, url string) (*pgx.Conn, int) {
	t.Helper()
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	if err := c.QueryRow(context.Background(), "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	return c, pid
}

func parkedNow() int {
	l, _ := theLot()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.parked
}

// waitParked waits until the lot has parked n sessions (it parks a
// session after its client has gone).
func waitParked(t *testing.T, n int) {
	t.Helper()
	l, _ := theLot()
	deadline := time.After(5 * time.Second)
	for {
		l.mu.Lock()
		parked, next := l.parked, l.parkedOne
		l.mu.Unlock()
		if parked >= n {
			return
		}
		select {
		case <-next:
		case <-deadline:
			t.Fatalf("%d sessions parked, want %d", parked, n)
		}
	}
}

// The parking lot hands a server session to the next client with nothing
// of the last one left, and never parks one left in a transaction.
func TestParkedSessionsComeBackReset(t *testing.T) {
	needPool(t)
	if l, err := theLot(); err != nil || l == nil {
		t.Fatalf("no parking lot for TEST_DATABASE_URL (%v): it must ask for sslmode=disable", err)
	}
	ctx := context.Background()
	url := viaLot(schemaURL(t, "pg_catalog"))
	connect := func() (*pgx.Conn, int) { return connectTo(t, url) }
	c, first := connect()
	for _, q := range []string{"SET statement_timeout = '1234ms'", "CREATE TEMP TABLE left_behind (x int)",
		"SELECT pg_advisory_lock(42)", "LISTEN left_behind"} {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	parked := parkedNow()
	_ = c.Close(ctx)
	waitParked(t, parked+1)

	c, pid := connect()
	if pid != first {
		t.Fatalf("server session %d not reused (got %d): the lot parked nothing", first, pid)
	}
	var timeout string
	var temp, locks, channels int
	err := c.QueryRow(ctx, `SELECT current_setting('statement_timeout'),
		(SELECT count(*) FROM pg_class WHERE relname = 'left_behind' AND relpersistence = 't'),
		(SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()),
		(SELECT count(*) FROM pg_listening_channels())`).Scan(&timeout, &temp, &locks, &channels)
	if err != nil {
		t.Fatal(err)
	}
	if timeout != "0" || temp != 0 || locks != 0 || channels != 0 {
		t.Fatalf("the last session left statement_timeout %s, %d temporary tables, %d advisory locks, %d channels", timeout, temp, locks, channels)
	}
	// A client of another schema gets the same session, with its schema.
	parked = parkedNow()
	_ = c.Close(ctx)
	waitParked(t, parked+1)
	other, err := pgx.Connect(ctx, viaLot(schemaURL(t, "information_schema")))
	if err != nil {
		t.Fatal(err)
	}
	var path string
	if err := other.QueryRow(ctx, "SELECT pg_backend_pid(), current_setting('search_path')").Scan(&pid, &path); err != nil {
		t.Fatal(err)
	}
	if pid != first || path != "information_schema" {
		t.Fatalf("a client of another schema got session %d (want %d) with search_path %q", pid, first, path)
	}
	parked = parkedNow()
	_ = other.Close(ctx)
	waitParked(t, parked+1)
	c, pid = connect()
	if err := c.QueryRow(ctx, "SELECT current_setting('search_path')").Scan(&path); err != nil || path != "pg_catalog" || pid != first {
		t.Fatalf("back in the first schema: session %d, search_path %q, %v", pid, path, err)
	}
	// The same statement again: the last client's prepared statements are gone.
	var one int
	if err := c.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&one); err != nil {
		t.Fatalf("a statement the last client had prepared: %v", err)
	}
	// Left in a transaction: not parked.
	if _, err := c.Exec(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	_ = c.Close(ctx)
	c, pid = connect()
	defer c.Close(ctx)
	if pid == first {
		t.Fatal("a session left in a transaction was parked and handed out again")
	}
}

// The framer finds message boundaries, the last transaction status and a
// Terminate however the bytes are cut into chunks.
func TestFramerFollowsMessagesAcrossChunks(t *testing.T) {
	msg := func(typ byte, body string) []byte {
		b := []byte{typ, 0, 0, 0, byte(4 + len(body))}
		return append(b, body...)
	}
	var stream []byte
	stream = append(stream, msg('D', "row with a Z and an X inside")...)
	stream = append(stream, msg('Z', "T")...)
	stream = append(stream, msg('C', "SELECT 1\x00")...)
	stream = append(stream, msg('Z', "I")...)
	terminate := len(stream)
	stream = append(stream, msg('X', "")...)
	for cut := 1; cut <= len(stream); cut++ {
		f := framer{}
		stopped := -1
		for at := 0; at < len(stream) && stopped < 0; at += cut {
			chunk := stream[at:min(at+cut, len(stream))]
			n, ok := f.feed(chunk, 'X')
			if !ok {
				t.Fatalf("chunks of %d: an impossible length", cut)
			}
			if n < len(chunk) {
				stopped = at + n
			}
		}
		if stopped != terminate || f.status != 'I' || !f.between() {
			t.Fatalf("chunks of %d: stopped at %d (want %d), status %q, between %v", cut, stopped, terminate, f.status, f.between())
		}
	}
}

// A client whose context ends mid-query sends Terminate at once, with the
// query's answer still to come: its session is not parked, and the next
// client's answers are its own.
func TestSessionLeftMidQueryIsNotParked(t *testing.T) {
	needPool(t)
	ctx := context.Background()
	url := viaLot(schemaURL(t, "pg_catalog"))
	c, pid := connectTo(t, url)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := c.Exec(short, "SELECT pg_sleep(0.5)"); err == nil {
		t.Fatal("a half-second query outlived its 50 ms context")
	}
	_ = c.Close(ctx)
	for i := range 5 {
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		var got, other int
		if err := c.QueryRow(ctx, "SELECT $1::int, pg_backend_pid()", i).Scan(&got, &other); err != nil || got != i {
			t.Fatalf("client %d after a cancelled query: got %d, %v", i, got, err)
		}
		if other == pid {
			t.Fatalf("the session left mid-query (%d) was handed out again", pid)
		}
		_ = c.Close(ctx)
	}
}
