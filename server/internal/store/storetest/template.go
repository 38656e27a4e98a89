package storetest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/bnp/undersigned/server/internal/store"
)

// Migrating costs far more than the tests that use the store: on
// PostgreSQL about 150 DDL statements in 15 transactions, each test's,
// under goose's one advisory lock per database, whose waiters retry every
// 5 s. So migrations are reused: SQLite tests get a copy of a file
// migrated once a process; PostgreSQL tests get a migrated schema from a
// pool shared by every test process (pool.go), emptied (empty.go) when the
// test ends, and dropped instead if the test changed its structure.

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
