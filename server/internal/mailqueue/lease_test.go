package mailqueue_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/smtptest"
	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// slowTransport hands a message to the server, then holds the answer back:
// a server slow to confirm what it has already accepted.
type slowTransport struct {
	mailers.Transport
	delay time.Duration
}

func (s slowTransport) Send(ctx context.Context, m *mailers.Message) error {
	err := s.Transport.Send(ctx, m)
	time.Sleep(s.delay)
	return err
}

// TestBatchOutlivingItsLeaseIsSentOnce has two instances drain a queue
// whose lease is shorter than a batch of ten takes to send, slowed by the
// rate limit or by the server. Each message must arrive once: a worker
// keeps its leases while it works, and another instance takes over only
// what a dead worker held.
func TestBatchOutlivingItsLeaseIsSentOnce(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		rate  float64
		delay time.Duration
	}{
		{"slow rate", 4, 0},
		{"slow server", 0, 150 * time.Millisecond},
	} {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db storetest.DB) {
				other := db.Reopen(t)
				srv := smtptest.Start(t)
				const n = 10
				mails := make([]store.Mail, n)
				for i := range mails {
					mails[i] = reset(fmt.Sprintf("slow%02d@example.org", i))
				}
				enqueue(t, db.Store, mails...)
				opts := fast
				opts.Lease, opts.Rate = 500*time.Millisecond, c.rate
				opts.Name = "a"
				_, stopA := run(t, db.Store, slowTransport{smtpTransport(t, srv, 2), c.delay}, opts)
				opts.Name = "b"
				_, stopB := run(t, other, slowTransport{smtpTransport(t, srv, 2), c.delay}, opts)
				waitCounts(t, db.Store, map[string]int64{store.MailSent: n})
				// A stray second copy would be on its way by now: stop both
				// instances, each finishing the message in hand, then count.
				stopA()
				stopB()
				seen := map[string]int{}
				for _, m := range srv.Messages() {
					seen[m.To[0]]++
				}
				for rcpt, times := range seen {
					if times != 1 {
						t.Errorf("%s got %d copies", rcpt, times)
					}
				}
				if len(seen) != n {
					t.Errorf("%d recipients got mail, want %d", len(seen), n)
				}
			})
		})
	}
}

// gatedTransport holds every message until the test opens the gate, and
// tells the test which message is waiting.
type gatedTransport struct {
	mailers.Transport
	waiting chan string
	open    chan struct{}
}

func (g gatedTransport) Send(ctx context.Context, m *mailers.Message) error {
	g.waiting <- m.MessageID
	<-g.open
	return g.Transport.Send(ctx, m)
}

// TestMessageTakenOverMidBatchIsLeftToItsNewHolder: while a worker is
// sending the first message it claimed, another instance takes over the
// rest (as it would once their lease had run out). Once a heartbeat has
// found them gone, the worker must not send them.
func TestMessageTakenOverMidBatchIsLeftToItsNewHolder(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		ctx := context.Background()
		srv := smtptest.Start(t)
		enqueue(t, db.Store, reset("first@example.org"), reset("second@example.org"), reset("third@example.org"))
		gate := gatedTransport{Transport: smtpTransport(t, srv, 1), waiting: make(chan string, 10), open: make(chan struct{})}
		opts := fast
		opts.Workers, opts.Lease = 1, 600*time.Millisecond
		_, stop := run(t, db.Store, gate, opts)
		var inHand string
		select {
		case inHand = <-gate.waiting:
		case <-time.After(10 * time.Second):
			t.Fatal("the worker sent nothing")
		}
		err := db.Exec(ctx, `UPDATE mail_messages SET leased_by = 'other-instance', lease_until = ?
			WHERE status = 'queued' AND message_id <> ?`, time.Now().UTC().Add(time.Hour), inHand)
		if err != nil {
			t.Fatal(err)
		}
		// Two heartbeats renew the message in hand: the first found the
		// others gone, and was done with them before the second began.
		leaseOf := func() time.Time {
			var m struct{ LeaseUntil time.Time }
			if err := db.Query(ctx, &m, "SELECT lease_until FROM mail_messages WHERE message_id = ?", inHand); err != nil {
				t.Fatal(err)
			}
			return m.LeaseUntil
		}
		for range 2 {
			before := leaseOf()
			deadline := time.Now().Add(10 * time.Second)
			for !leaseOf().After(before) {
				if time.Now().After(deadline) {
					t.Fatal("no heartbeat renewed the lease in hand")
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		close(gate.open)
		waitCounts(t, db.Store, map[string]int64{store.MailSent: 1, store.MailQueued: 2})
		stop() // finishes the message in hand: a wrongful second send would be made by now
		if got := len(srv.Messages()); got != 1 {
			t.Fatalf("%d messages arrived, want only the one in hand", got)
		}
		held, err := db.CountWhere(ctx, "mail_messages", "status = 'queued' AND leased_by = 'other-instance'")
		if err != nil || held != 2 {
			t.Fatalf("%d messages left to the other instance (%v), want 2", held, err)
		}
	})
}
