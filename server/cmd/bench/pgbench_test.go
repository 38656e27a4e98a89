package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// pgbench -l writes one file per thread, a transaction a line, its time in
// microseconds third; the p99 is read from all of them together.
func TestPgbenchLatencies(t *testing.T) {
	dir := t.TempDir()
	var a string
	for i := 1; i <= 99; i++ {
		a += fmt.Sprintf("0 %d 1000 0 1764979200 123456\n", i)
	}
	b := "1 1 250000 0 1764979200 123456\nnot a line\n"
	if err := os.WriteFile(filepath.Join(dir, "tx.123"), []byte(a), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tx.123.1"), []byte(b), 0o600); err != nil {
		t.Fatal(err)
	}
	lat, err := pgbenchLatencies(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(lat) != 100 {
		t.Fatalf("%d transactions read, want 100", len(lat))
	}
	if got := p99(lat); got != 250*time.Millisecond {
		t.Fatalf("p99 %v, want the one slow transaction, 250ms", got)
	}
}
