package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// A folder name with "#" or "?" must not cut the database's path short.
func TestSQLitePathWithURICharacters(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "a#b?c")
	path := filepath.Join(dir, "test.db")
	s, err := Open(context.Background(), "", path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not where it was asked to be: %v", err)
	}
}

// The default DATA_DIR is relative ("./data"): the database must be made
// there, under the working directory.
func TestSQLiteRelativePath(t *testing.T) {
	t.Chdir(t.TempDir())
	s, err := Open(context.Background(), "", filepath.Join("data", "undersigned.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join("data", "undersigned.db")); err != nil {
		t.Fatalf("the database is not in ./data: %v", err)
	}
}
