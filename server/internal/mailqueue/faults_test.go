package mailqueue_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/smtptest"
	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// faultyTransport is the SMTP transport with short timeouts, as a test
// needs them: a command times out after commandTimeout.
func faultyTransport(t *testing.T, srv *smtptest.Server, conns int, idle time.Duration) *mailers.SMTP {
	t.Helper()
	tr, err := mailers.NewSMTP(srv.URL(), "undersigned <no-reply@undersigned.test>", conns,
		mailers.WithTimeouts(300*time.Millisecond, idle), mailers.WithHELO("sign.undersigned.test"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.Close)
	return tr
}

func resets(prefix string, n int) ([]store.Mail, []string) {
	mails := make([]store.Mail, n)
	to := make([]string, n)
	for i := range mails {
		to[i] = fmt.Sprintf("%s%03d@example.org", prefix, i)
		mails[i] = reset(to[i])
	}
	return mails, to
}

// deliveredOnce checks that each address got exactly one message.
func deliveredOnce(t *testing.T, srv *smtptest.Server, to []string) {
	t.Helper()
	seen := map[string]int{}
	for _, m := range srv.Messages() {
		seen[m.To[0]]++
	}
	for _, a := range to {
		if seen[a] != 1 {
			t.Errorf("%s got %d copies, want 1", a, seen[a])
		}
	}
}

// attempts sums the attempts charged to the queue's messages and counts
// those charged more than once.
func attempts(t *testing.T, db storetest.DB) (sum, retried int) {
	t.Helper()
	var rows []struct{ Attempts int }
	if err := db.Query(context.Background(), &rows, "SELECT attempts FROM mail_messages"); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		sum += r.Attempts
		if r.Attempts > 1 {
			retried++
		}
	}
	return sum, retried
}

// TestFaultsDeliverEachMessageOnce runs the queue against a server that
// misbehaves in each way real servers do. Every message must arrive once;
// a fault of the connection charges no attempt, a 451 charges one and is
// retried (and the retry reaches the server).
func TestFaultsDeliverEachMessageOnce(t *testing.T) {
	t.Parallel()
	const n = 30
	cases := []struct {
		name   string
		faults smtptest.Faults
		conns  int
		// charged: a 451 is the message's own failure, and is retried.
		charged bool
	}{
		{"451 to every third message", smtptest.Faults{TempEvery: 3}, 2, true},
		{"421 then close", smtptest.Faults{CloseEvery: 4}, 2, false},
		{"stall on DATA", smtptest.Faults{StallEvery: 7, StallFor: time.Second}, 2, false},
		{"too many connections", smtptest.Faults{MaxConnections: 2}, 4, false},
		{"a reply out of step", smtptest.Faults{DesyncEvery: 5}, 2, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			storetest.Each(t, func(t *testing.T, db storetest.DB) {
				srv := smtptest.StartWith(t, c.faults)
				tr := faultyTransport(t, srv, c.conns, time.Minute)
				mails, to := resets("fault", n)
				enqueue(t, db.Store, mails...)
				opts := fast
				opts.Workers = c.conns
				start := time.Now()
				run(t, db.Store, tr, opts)
				waitCounts(t, db.Store, map[string]int64{store.MailSent: n})
				t.Logf("%d messages in %v; server: %+v", n, time.Since(start).Round(time.Millisecond), srv.Stats())
				deliveredOnce(t, srv, to)
				sum, retried := attempts(t, db)
				switch {
				case c.charged && (retried == 0 || sum != srv.Stats().Offered):
					// Every charged attempt reached the server: no retry read a
					// stale reply from a connection out of step.
					t.Errorf("attempts: %d in all (%d retried), server offered %d", sum, retried, srv.Stats().Offered)
				case !c.charged && sum != n:
					t.Errorf("%d attempts charged for %d messages: a connection fault was charged", sum, n)
				}
				if c.faults.MaxConnections > 0 {
					if s := srv.Stats(); s.MaxOpen > c.faults.MaxConnections || s.Refused == 0 || tr.Connections() != c.faults.MaxConnections {
						t.Errorf("server %+v, transport now uses %d connections", s, tr.Connections())
					}
				}
			})
		})
	}
}

// TestIdleConnectionDroppedByTheServer: the server cuts connections idle
// for a moment (421 4.4.2, as Postfix after smtpd_timeout); the next
// message goes out at once on a new connection, with no attempt charged.
func TestIdleConnectionDroppedByTheServer(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		srv := smtptest.StartWith(t, smtptest.Faults{IdleTimeout: 150 * time.Millisecond})
		// The transport itself would keep the connection for a minute.
		q, _ := run(t, db.Store, faultyTransport(t, srv, 1, time.Minute), fast)
		first, to := resets("idle-a", 3)
		enqueue(t, db.Store, first...)
		q.Wake()
		srv.Wait(3, 10*time.Second)
		waitClosed(t, srv)
		second, more := resets("idle-b", 3)
		enqueue(t, db.Store, second...)
		q.Wake()
		waitCounts(t, db.Store, map[string]int64{store.MailSent: 6})
		deliveredOnce(t, srv, append(to, more...))
		if sum, _ := attempts(t, db); sum != 6 {
			t.Errorf("%d attempts for 6 messages: the dropped connection was charged", sum)
		}
	})
}

// TestIdleConnectionClosedBeforeTheServerCutsIt: with an idle timeout under
// the server's, the transport closes the connection itself.
func TestIdleConnectionClosedBeforeTheServerCutsIt(t *testing.T) {
	t.Parallel()
	srv := smtptest.StartWith(t, smtptest.Faults{IdleTimeout: 5 * time.Second})
	tr := faultyTransport(t, srv, 1, 50*time.Millisecond)
	m := mailers.Message{MessageID: "1@undersigned.test", Kind: "password_reset", To: "a@example.org", Email: mailers.Email{Subject: "s", Text: "t", HTML: "<p>t</p>"}}
	if err := tr.Send(context.Background(), &m); err != nil {
		t.Fatal(err)
	}
	waitClosed(t, srv)
	if err := tr.Send(context.Background(), &m); err != nil {
		t.Fatal(err)
	}
	if s := srv.Stats(); s.Connections != 2 {
		t.Fatalf("%d connections, want a new one after the idle one was closed", s.Connections)
	}
	if h := srv.Helos(); len(h) == 0 || h[0] != "sign.undersigned.test" {
		t.Fatalf("greeted as %v, want the configured name", h)
	}
}

// waitClosed waits until the server saw a connection close.
func waitClosed(t *testing.T, srv *smtptest.Server) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for srv.Stats().Closed == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no connection was closed")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestServerDownForAWhileChargesNothing: the server goes away and comes
// back; every message arrives once, none charged for the outage.
func TestServerDownForAWhileChargesNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		srv := smtptest.Start(t)
		mails, to := resets("down", 20)
		enqueue(t, db.Store, mails...)
		back := srv.Down(400 * time.Millisecond)
		run(t, db.Store, faultyTransport(t, srv, 2, time.Minute), fast)
		<-back
		waitCounts(t, db.Store, map[string]int64{store.MailSent: 20})
		deliveredOnce(t, srv, to)
		if sum, _ := attempts(t, db); sum != 20 {
			t.Errorf("%d attempts for 20 messages: the outage was charged", sum)
		}
	})
}

// TestRefusedWith550IsRecordedOnce: a 550 fails its message for good,
// after one attempt; the others arrive.
func TestRefusedWith550IsRecordedOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		srv := smtptest.Start(t)
		srv.SetReply(func(rcpt string, _ int) error {
			if rcpt == "fault003@example.org" {
				return smtptest.Permanent
			}
			return nil
		})
		mails, to := resets("fault", 10)
		enqueue(t, db.Store, mails...)
		run(t, db.Store, faultyTransport(t, srv, 2, time.Minute), fast)
		waitCounts(t, db.Store, map[string]int64{store.MailSent: 9, store.MailFailed: 1})
		deliveredOnce(t, srv, append(to[:3:3], to[4:]...))
		if sum, _ := attempts(t, db); sum != 10 {
			t.Errorf("%d attempts for 10 messages, want one each", sum)
		}
	})
}

// TestDiagnosisOfRealReplies: what each reply of a real server means for
// the message, as the transport reports it.
func TestDiagnosisOfRealReplies(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	tr := faultyTransport(t, srv, 1, time.Minute)
	cases := []struct {
		name  string
		reply error
		want  mailers.Failure
	}{
		{"greylisted", smtptest.Temporary, mailers.FailTemporary},
		{"rate limited", &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "too many messages, slow down"}, mailers.FailRateLimited},
		{"no such mailbox", smtptest.Permanent, mailers.FailBounced},
		{"refused as spam", &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "rejected by policy"}, mailers.FailRejected},
	}
	for i, c := range cases {
		srv.SetReply(func(string, int) error { return c.reply })
		m := mailers.Message{MessageID: fmt.Sprintf("%d@undersigned.test", i), Kind: "password_reset", To: "person@example.org",
			Email: mailers.Email{Subject: "s", Text: "t", HTML: "<p>t</p>"}}
		err := tr.Send(context.Background(), &m)
		if err == nil {
			t.Fatalf("%s: sent", c.name)
		}
		got, reason := mailers.Diagnose(err)
		if got != c.want || strings.Contains(reason, "person@example.org") {
			t.Errorf("%s: diagnosed %d (%q), want %d, no address", c.name, got, reason, c.want)
		}
	}
	srv.Stop()
	m := mailers.Message{MessageID: "down@undersigned.test", Kind: "password_reset", To: "person@example.org", Email: mailers.Email{Subject: "s", Text: "t"}}
	if got, _ := mailers.Diagnose(tr.Send(context.Background(), &m)); got != mailers.FailUnavailable {
		t.Errorf("server down: diagnosed %d, want unavailable", got)
	}
}

// TestRelayWithItsOwnCA: a relay whose certificate comes from its own CA
// is refused (the server is "unavailable", and a warning says why) until
// SMTP_CA_FILE trusts that CA.
func TestRelayWithItsOwnCA(t *testing.T) {
	t.Parallel()
	srv, caFile := smtptest.StartTLS(t)
	m := mailers.Message{MessageID: "tls@undersigned.test", Kind: "password_reset", To: "person@example.org", Email: mailers.Email{Subject: "s", Text: "t"}}
	untrusting, err := mailers.NewSMTP(srv.TLSURL(), "undersigned <no-reply@undersigned.test>", 1, mailers.WithTimeouts(2*time.Second, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	defer untrusting.Close()
	if got, reason := mailers.Diagnose(untrusting.Send(context.Background(), &m)); got != mailers.FailUnavailable || !strings.Contains(reason, "certificate") {
		t.Fatalf("untrusted certificate: diagnosed %d (%q), want unavailable, naming the certificate", got, reason)
	}
	trusting, err := mailers.NewSMTP(srv.TLSURL(), "undersigned <no-reply@undersigned.test>", 1,
		mailers.WithTimeouts(2*time.Second, time.Minute), mailers.WithCAFile(caFile))
	if err != nil {
		t.Fatal(err)
	}
	defer trusting.Close()
	if err := trusting.Send(context.Background(), &m); err != nil {
		t.Fatalf("with SMTP_CA_FILE: %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("%d messages arrived, want 1", n)
	}
}
