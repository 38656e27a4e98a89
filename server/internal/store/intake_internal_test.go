package store

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// A full queue refuses at once with ErrBusy; what was queued before is
// still answered when the store closes.
func TestIntakeFullRefusesAtOnce(t *testing.T) {
	b := newIntakeBatcher(nil, 0, 2, 10) // no writer: the queue only fills
	var wg sync.WaitGroup
	results := make(chan error, 2)
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); results <- b.add(context.Background(), IntakeEntry{}) }()
	}
	for len(b.requests) < 2 {
		// Wait for both to be queued (a spin on a channel length, no sleep).
	}
	if !b.full() {
		t.Fatal("a queue at capacity does not report full")
	}
	if err := b.add(context.Background(), IntakeEntry{}); !errors.Is(err, ErrBusy) {
		t.Fatalf("a request past capacity got %v, want ErrBusy", err)
	}
	b.close()
	wg.Wait()
	close(results)
	for err := range results {
		if !errors.Is(err, errClosed) {
			t.Fatalf("a queued request got %v when the store closed with no writer, want errClosed", err)
		}
	}
}
