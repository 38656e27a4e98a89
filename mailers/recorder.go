package mailers

import (
	"context"
	"sync"
)

// Recorder is a Transport that keeps what it is given: the fake for unit
// tests. Integration tests use a real SMTP server instead.
type Recorder struct {
	mu   sync.Mutex
	sent []Message
	// Fail, when set, decides the outcome of each send.
	Fail func(m *Message) error
}

// Send records m, or fails as Fail says.
func (r *Recorder) Send(_ context.Context, m *Message) error {
	if r.Fail != nil {
		if err := r.Fail(m); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, *m)
	return nil
}

// Sent returns a copy of what was sent so far.
func (r *Recorder) Sent() []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Message(nil), r.sent...)
}
