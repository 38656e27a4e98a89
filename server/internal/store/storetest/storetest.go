// Package storetest gives tests a freshly migrated store on every database
// undersigned supports: SQLite always, PostgreSQL when TEST_DATABASE_URL is
// set. In CI (CI=true) a missing TEST_DATABASE_URL fails the test instead of
// skipping PostgreSQL silently.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
)

// Cipher is the mail cipher every test store is opened with, as the
// server opens its store with one derived from DATA_KEY.
var Cipher = store.WithCipher(MailKeys.Sealer("mail"))

// MailKeys are the keys Cipher derives from: a test that plays a seizure
// opens what the store sealed with them, as the seized configuration can.
var MailKeys = privacy.NewKeys([]byte("storetest mail key, not a secret"))

// Kind names a database a test runs on.
type Kind string

// The databases tests run on.
const (
	SQLite   Kind = "sqlite"
	Postgres Kind = "postgres"
)

// DB is a migrated store with what a test needs to reopen or inspect it.
type DB struct {
	*store.Store
	Kind Kind
	// URL opens the same database again (empty for SQLite).
	URL string
	// Path is the SQLite file (empty for PostgreSQL).
	Path string
	// opts are the options it was opened with, for Reopen.
	opts store.Options
}

// Each runs fn once per database as a subtest named after it.
func Each(t *testing.T, fn func(t *testing.T, db DB)) {
	t.Helper()
	for _, kind := range Kinds(t) {
		t.Run(string(kind), func(t *testing.T) { fn(t, New(t, kind)) })
	}
}

// Kinds lists the databases this run covers.
func Kinds(t *testing.T) []Kind {
	t.Helper()
	if os.Getenv("TEST_DATABASE_URL") != "" {
		return []Kind{SQLite, Postgres}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("storetest: CI is set but TEST_DATABASE_URL is not: the PostgreSQL tests must run in CI")
	}
	return []Kind{SQLite}
}

// New returns an empty, migrated store of the given kind, removed when the
// test ends. On PostgreSQL each store is a schema of its own in the
// TEST_DATABASE_URL database, so tests can run in parallel.
func New(t testing.TB, kind Kind) DB {
	t.Helper()
	return NewWith(t, kind, store.Options{})
}

// NewWith is New with pool and queue sizes other than the defaults.
func NewWith(t testing.TB, kind Kind, opts store.Options) DB {
	t.Helper()
	db := openWith(t, kind, opts, true)
	if db.opts.PgBouncer {
		// A database of its own, not a migrated copy.
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatalf("storetest: migrate: %v", err)
		}
	}
	return db
}

// Open returns an empty store of the given kind without migrating it.
func Open(t testing.TB, kind Kind) DB {
	t.Helper()
	return openWith(t, kind, store.Options{}, false)
}

// openWith opens a store of the given kind; migrated says to start from a
// migrated copy (see template.go), which leaves Migrate nothing to do.
func openWith(t testing.TB, kind Kind, opts store.Options, migrated bool) DB {
	t.Helper()
	ctx := context.Background()
	db := DB{Kind: kind}
	// Tests run in parallel, each with a store of its own, and a paused
	// parallel test keeps its pool: production's pools (up to 48
	// PostgreSQL connections a store) would exhaust the server's
	// max_connections. A test that needs more asks with NewWith.
	if kind == Postgres {
		if opts.MaxOpenConns == 0 {
			opts.MaxOpenConns = 6
		}
		if opts.MaxIdleConns == 0 {
			opts.MaxIdleConns = 2
		}
		if opts.QueueMaxOpenConns == 0 {
			opts.QueueMaxOpenConns = 3
		}
	}
	switch {
	case kind == SQLite:
		db.Path = filepath.Join(t.TempDir(), "test.db")
		if migrated {
			copySQLiteTemplate(t, db.Path)
		}
	case os.Getenv("TEST_PGBOUNCER_URL") != "":
		db.URL = NewDatabaseBehindPgBouncer(t)
		opts.PgBouncer = true
	case migrated:
		db.URL = pooledSchema(t)
	default:
		db.URL = NewSchema(t)
	}
	db.opts = opts
	s, err := store.OpenWith(ctx, db.URL, db.Path, opts, Cipher)
	if err != nil {
		t.Fatalf("storetest: open %s: %v", kind, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	db.Store = s
	return db
}

// Options are the pool options the store was opened with (PgBouncer's
// among them), for a test that opens the database again by itself.
func (db DB) Options() store.Options { return db.opts }

// Reopen opens a second connection pool to the same database, as a second
// server instance has; it is closed when the test ends.
func (db DB) Reopen(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.OpenWith(context.Background(), db.URL, db.Path, db.opts, Cipher)
	if err != nil {
		t.Fatalf("storetest: reopen %s: %v", db.Kind, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// NewSchema creates an empty schema in the TEST_DATABASE_URL database and
// returns a URL whose connections use it; the schema is dropped at cleanup.
func NewSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		t.Fatal("storetest: TEST_DATABASE_URL is not set")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := store.Open(context.Background(), base, "")
	if err != nil {
		t.Fatalf("storetest: PostgreSQL at TEST_DATABASE_URL: %v", err)
	}
	err = admin.Exec(context.Background(), "CREATE SCHEMA "+schema)
	// Closed at once: tests run in parallel, and an idle pool per test would
	// hold PostgreSQL connections that other tests need.
	_ = admin.Close()
	if err != nil {
		t.Fatalf("storetest: create schema: %v", err)
	}
	t.Cleanup(func() {
		admin, err := store.Open(context.Background(), base, "")
		if err != nil {
			return
		}
		_ = admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		_ = admin.Close()
	})
	return schemaURL(t, schema)
}

// schemaURL is the TEST_DATABASE_URL whose connections use schema.
func schemaURL(t testing.TB, schema string) string {
	t.Helper()
	u, err := url.Parse(os.Getenv("TEST_DATABASE_URL"))
	if err != nil {
		t.Fatalf("storetest: TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// NewDatabaseBehindPgBouncer creates an empty database in the
// TEST_DATABASE_URL server and returns a URL that reaches it through the
// PgBouncer of TEST_PGBOUNCER_URL (transaction pooling, a wildcard
// [databases] entry); the database is dropped at cleanup. A database of its
// own, not a schema: PgBouncer cannot pass search_path on.
func NewDatabaseBehindPgBouncer(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		t.Fatal("storetest: TEST_PGBOUNCER_URL needs TEST_DATABASE_URL, the server behind it")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "t_" + hex.EncodeToString(b)
	admin, err := store.Open(context.Background(), base, "")
	if err != nil {
		t.Fatalf("storetest: PostgreSQL at TEST_DATABASE_URL: %v", err)
	}
	if err := admin.Exec(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("storetest: create database: %v", err)
	}
	t.Cleanup(func() {
		_ = admin.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)")
		_ = admin.Close()
	})
	u, err := url.Parse(os.Getenv("TEST_PGBOUNCER_URL"))
	if err != nil {
		t.Fatalf("storetest: TEST_PGBOUNCER_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}
