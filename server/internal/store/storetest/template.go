package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the admin connection's driver

	"github.com/bnp/undersigned/server/internal/store"
)

// Migrating costs far more than the tests that use the store: on
// PostgreSQL about 150 DDL statements in 15 transactions, each test's,
// under goose's one advisory lock per database, whose waiters retry every
// 5 s. So each test process migrates once per database kind and reuses:
// SQLite tests get a copy of a migrated file; PostgreSQL tests get a
// migrated schema from a pool, emptied (empty.go) when the test ends, and
// dropped instead if the test changed its structure.

// sqliteTemplate is a migrated SQLite database file, made once a process.
var sqliteTemplate = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "storetest-template-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.db")
	s, err := store.Open(context.Background(), "", path, Cipher)
	if err != nil {
		return nil, err
	}
	if _, err := s.Migrate(context.Background()); err != nil {
		_ = s.Close()
		return nil, err
	}
	if err := s.Close(); err != nil {
		return nil, err
	}
	// The last connection's close checkpoints the write-ahead log into
	// the file and removes it; a log left behind would hold the schema.
	if _, err := os.Stat(path + "-wal"); err == nil {
		return nil, errors.New("the template's write-ahead log was not checkpointed at close")
	}
	return os.ReadFile(path)
})

// copySQLiteTemplate writes a migrated database to path.
func copySQLiteTemplate(t testing.TB, path string) {
	t.Helper()
	b, err := sqliteTemplate()
	if err != nil {
		t.Fatalf("storetest: SQLite template: %v", err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatalf("storetest: SQLite template: %v", err)
	}
}

// schemaPool hands out migrated PostgreSQL schemas of the TEST_DATABASE_URL
// database to this process's tests. Its schemas are named tp_<owner>_<n>;
// the process holds an advisory lock on <owner> while it lives, so that the
// next process drops the schemas of one that ended (a test binary has no
// hook to drop its own).
type schemaPool struct {
	admin *sql.DB
	owner uint32
	// lock is the connection that holds the owner's lock.
	lock *sql.Conn

	mu    sync.Mutex
	free  []string
	made  int
	shape map[string]string // schema -> its structure right after migration
	wipe  map[string]string // schema -> the statements that empty it
}

// poolLockClass is the first key of the pool's advisory locks (two-key
// form, which never meets goose's one-key lock).
const poolLockClass = 0x7573_7470 // "ustp"

var thePool = sync.OnceValues(func() (*schemaPool, error) {
	admin, err := sql.Open("pgx", os.Getenv("TEST_DATABASE_URL"))
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	lock, err := admin.Conn(ctx)
	if err != nil {
		return nil, err
	}
	p := &schemaPool{admin: admin, lock: lock, shape: map[string]string{}, wipe: map[string]string{}}
	for {
		var b [4]byte
		_, _ = rand.Read(b[:])
		p.owner = binary.BigEndian.Uint32(b[:]) >> 1
		var got bool
		if err := lock.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1, $2)", poolLockClass, int32(p.owner)).Scan(&got); err != nil {
			return nil, err
		}
		if got {
			break
		}
	}
	p.sweep(ctx)
	return p, nil
})

// sweep drops the pooled schemas of processes that have ended.
func (p *schemaPool) sweep(ctx context.Context) {
	rows, err := p.admin.QueryContext(ctx, `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tp\_%'`)
	if err != nil {
		return
	}
	var names []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			names = append(names, n)
		}
	}
	_ = rows.Close()
	for _, name := range names {
		var owner uint32
		if _, err := fmt.Sscanf(name, "tp_%d_", &owner); err != nil || owner == p.owner {
			continue
		}
		conn, err := p.admin.Conn(ctx)
		if err != nil {
			return
		}
		var ended bool
		if conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1, $2)", poolLockClass, int32(owner)).Scan(&ended) == nil && ended {
			_, _ = conn.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+name+" CASCADE")
			_, _ = conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1, $2)", poolLockClass, int32(owner))
		}
		_ = conn.Close()
	}
}

// pooledSchema returns a URL of an empty, migrated schema, given back to
// the pool when the test ends.
func pooledSchema(t testing.TB) string {
	t.Helper()
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Fatal("storetest: TEST_DATABASE_URL is not set")
	}
	p, err := thePool()
	if err != nil {
		t.Fatalf("storetest: PostgreSQL at TEST_DATABASE_URL: %v", err)
	}
	ctx := context.Background()
	p.mu.Lock()
	var name string
	if n := len(p.free); n > 0 {
		name, p.free = p.free[n-1], p.free[:n-1]
	} else {
		p.made++
		name = fmt.Sprintf("tp_%d_%d", p.owner, p.made)
	}
	shape, migrated := p.shape[name]
	p.mu.Unlock()
	if !migrated {
		if _, err := p.admin.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
			t.Fatalf("storetest: create schema: %v", err)
		}
		// Migrated without goose's lock (the PgBouncer option): the schema
		// is this process's alone, and the lock is one per database.
		s, err := store.OpenWith(ctx, schemaURL(t, name), "", store.Options{PgBouncer: true, MaxOpenConns: 1, QueueMaxOpenConns: 1})
		if err == nil {
			_, err = s.Migrate(ctx)
			_ = s.Close()
		}
		if err == nil {
			shape, err = p.structure(ctx, name)
		}
		var wipe string
		if err == nil {
			wipe, err = p.wipeStatements(ctx, name)
		}
		if err != nil {
			_, _ = p.admin.ExecContext(ctx, "DROP SCHEMA "+name+" CASCADE")
			t.Fatalf("storetest: migrate schema: %v", err)
		}
		p.mu.Lock()
		p.shape[name], p.wipe[name] = shape, wipe
		p.mu.Unlock()
	}
	t.Cleanup(func() { p.giveBack(name) })
	return schemaURL(t, name)
}

// giveBack empties a schema for the next test, or drops it if the test
// changed its structure (or the emptying failed).
func (p *schemaPool) giveBack(name string) {
	ctx := context.Background()
	p.mu.Lock()
	shape, wipe := p.shape[name], p.wipe[name]
	p.mu.Unlock()
	// The structure first: the statements that empty the schema are those
	// of its structure after migration.
	now, err := p.structure(ctx, name)
	if err == nil && now != shape {
		err = errors.New("structure changed")
	}
	if err == nil {
		err = p.empty(ctx, wipe)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		delete(p.shape, name)
		delete(p.wipe, name)
		_, _ = p.admin.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+name+" CASCADE")
		return
	}
	p.free = append(p.free, name)
}
