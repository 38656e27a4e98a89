package mailqueue_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/mailqueue"
	"github.com/bnp/undersigned/server/internal/smtptest"
	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// domain is the message domain of a store opened with no other
// (store.Options.MessageDomain).
const domain = "localhost"

var fast = mailqueue.Options{Workers: 2, Poll: 10 * time.Millisecond, RetryBase: 20 * time.Millisecond, RetryMax: 100 * time.Millisecond}

func catalog(t *testing.T) *mailers.Catalog {
	t.Helper()
	c, err := mailers.NewCatalog(mailers.Site{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func smtpTransport(t *testing.T, srv *smtptest.Server, conns int) *mailers.SMTP {
	t.Helper()
	tr, err := mailers.NewSMTP(srv.URL(), "undersigned <no-reply@undersigned.test>", conns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.Close)
	return tr
}

// run starts a queue and returns a function that stops it and waits.
func run(t *testing.T, st *store.Store, tr mailers.Transport, opts mailqueue.Options) (*mailqueue.Queue, func()) {
	t.Helper()
	q := mailqueue.New(st, catalog(t), tr, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); q.Run(ctx) }()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return q, stop
}

func reset(to string) store.Mail {
	o := mailers.PasswordReset(mailers.PasswordResetParams{Link: "http://localhost:8080/reset/tok-" + to, Minutes: 30})
	return store.Mail{Kind: o.Kind, Language: o.Language, Params: o.Params, Recipient: to}
}

func enqueue(t *testing.T, st *store.Store, mails ...store.Mail) {
	t.Helper()
	if err := st.EnqueueMail(context.Background(), mails...); err != nil {
		t.Fatal(err)
	}
}

// waitCounts waits until the queue's counts reach want.
func waitCounts(t *testing.T, st *store.Store, want map[string]int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := st.MailCounts(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		if got[store.MailQueued] == want[store.MailQueued] && got[store.MailSent] == want[store.MailSent] && got[store.MailFailed] == want[store.MailFailed] {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue counts = %v, want %v", got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDeliveredWithBothPartsAndHeaders(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		srv := smtptest.Start(t)
		q, _ := run(t, db.Store, smtpTransport(t, srv, 1), fast)
		enqueue(t, db.Store, reset("alena@example.org"))
		q.Wake()
		m := srv.Wait(1, 10*time.Second)[0]
		if m.To[0] != "alena@example.org" || m.From != "no-reply@undersigned.test" {
			t.Fatalf("envelope %s -> %v", m.From, m.To)
		}
		h := m.Header
		if h.Get("Subject") != "Reset your password" || !strings.HasSuffix(h.Get("Message-Id"), "@"+domain+">") ||
			h.Get("Auto-Submitted") != "auto-generated" || h.Get("Date") == "" || h.Get("User-Agent") != "" || h.Get("X-Mailer") != "" {
			t.Fatalf("headers: %v", h)
		}
		link := "http://localhost:8080/reset/tok-alena@example.org"
		if !strings.Contains(m.Text, link) || !strings.Contains(m.Text, "30 minutes") || strings.Contains(m.Text, "<") {
			t.Fatalf("text part:\n%s", m.Text)
		}
		if !strings.Contains(m.HTML, `href="`+link+`"`) || !strings.Contains(m.HTML, `lang="en"`) {
			t.Fatalf("html part:\n%s", m.HTML)
		}
		for _, remote := range []string{"<img", "src=", "@import", "url("} {
			if strings.Contains(m.HTML, remote) {
				t.Fatalf("html part loads something (%s)", remote)
			}
		}
		waitCounts(t, db.Store, map[string]int64{store.MailSent: 1})
	})
}

func TestSentMessageKeepsNoAddressOrContent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		srv := smtptest.Start(t)
		run(t, db.Store, smtpTransport(t, srv, 1), fast)
		enqueue(t, db.Store, reset("private@example.org"))
		srv.Wait(1, 10*time.Second)
		waitCounts(t, db.Store, map[string]int64{store.MailSent: 1})
		leftover, err := db.CountWhere(context.Background(), "mail_messages", "recipient IS NOT NULL OR params IS NOT NULL")
		if err != nil || leftover != 0 {
			t.Fatalf("sent messages still holding an address or content: %d (%v)", leftover, err)
		}
	})
}

func TestRolledBackTransactionSendsNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		srv := smtptest.Start(t)
		q, _ := run(t, db.Store, smtpTransport(t, srv, 1), fast)
		boom := errors.New("the signature could not be stored")
		err := db.InTransaction(context.Background(), func(tx store.Tx) error {
			if err := tx.Enqueue(reset("rolledback@example.org")); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("transaction error = %v", err)
		}
		enqueue(t, db.Store, reset("committed@example.org"))
		q.Wake()
		// Once the committed message is recorded sent, nothing is queued:
		// the queue has nothing else it could send.
		waitCounts(t, db.Store, map[string]int64{store.MailSent: 1})
		if n, err := db.CountRows(context.Background(), "mail_messages"); err != nil || n != 1 {
			t.Fatalf("%d messages in the queue, want only the committed one (%v)", n, err)
		}
		if n := len(srv.Messages()); n != 1 || len(srv.To("committed@example.org")) != 1 {
			t.Fatalf("%d messages arrived; want only the committed one", n)
		}
	})
}

// A temporarily refused message is retried and delivered once; retries
// sooner than the next poll are made when due (the queue wakes for the
// retries it scheduled), so a queue that polls once an hour makes them too.
func TestTemporaryFailureIsRetriedAndDeliveredOnce(t *testing.T) {
	t.Parallel()
	patient := fast
	patient.Poll = time.Hour
	for name, opts := range map[string]mailqueue.Options{"polling": fast, "polling hourly": patient} {
		t.Run(name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db storetest.DB) {
				srv := smtptest.Start(t)
				srv.SetReply(func(_ string, attempt int) error {
					if attempt <= 2 {
						return smtptest.Temporary
					}
					return nil
				})
				q, stop := run(t, db.Store, smtpTransport(t, srv, 1), opts)
				enqueue(t, db.Store, reset("greylisted@example.org"))
				q.Wake()
				waitCounts(t, db.Store, map[string]int64{store.MailSent: 1})
				// Stopped, the queue has finished every send in hand: a second
				// copy would have arrived by now.
				stop()
				if n := len(srv.To("greylisted@example.org")); n != 1 {
					t.Fatalf("delivered %d times, want once", n)
				}
			})
		})
	}
}

func TestPermanentFailureIsRecordedNotRetried(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		srv := smtptest.Start(t)
		var attempts int
		var mu sync.Mutex
		srv.SetReply(func(string, int) error {
			mu.Lock()
			defer mu.Unlock()
			attempts++
			return smtptest.Permanent
		})
		_, stop := run(t, db.Store, smtpTransport(t, srv, 1), fast)
		enqueue(t, db.Store, reset("gone@example.org"))
		// Failed for good, with nothing queued: no retry is scheduled. And
		// stopped, the queue has finished every attempt in hand.
		waitCounts(t, db.Store, map[string]int64{store.MailFailed: 1})
		stop()
		mu.Lock()
		defer mu.Unlock()
		if attempts != 1 {
			t.Fatalf("server saw %d attempts, want 1", attempts)
		}
		failed, err := db.FailedMail(context.Background(), 10)
		if err != nil || len(failed) != 1 {
			t.Fatalf("failed = %v, %v", failed, err)
		}
		f := failed[0]
		if !strings.Contains(f.LastError, "550") || strings.Contains(f.LastError, "gone@example.org") || f.Recipient != nil || f.Params != nil {
			t.Fatalf("failed record: error %q, recipient kept %v, params kept %v", f.LastError, f.Recipient != nil, f.Params != nil)
		}
	})
}

func TestServerDownThenUpDeliversOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		srv := smtptest.Start(t)
		srv.Stop()
		run(t, db.Store, smtpTransport(t, srv, 1), fast)
		enqueue(t, db.Store, reset("patient@example.org"))
		// The queue tried, could not reach the server, and kept the message.
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			tried, err := db.CountWhere(context.Background(), "mail_messages", "last_error <> ''")
			if err != nil {
				t.Fatal(err)
			}
			if tried == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the queue did not try to send within 10 s")
			}
		}
		counts, _ := db.MailCounts(context.Background(), "")
		if counts[store.MailQueued] != 1 {
			t.Fatalf("while the server is down: %v, want it still queued", counts)
		}
		srv.Restart()
		waitCounts(t, db.Store, map[string]int64{store.MailSent: 1})
		if n := len(srv.To("patient@example.org")); n != 1 {
			t.Fatalf("delivered %d times, want once", n)
		}
	})
}

// TestTwoInstancesDeliverEachMessageOnce drains 1,000 messages with two
// queues, each with its own connection pool to the database (as two
// server instances have) and two workers.
func TestTwoInstancesDeliverEachMessageOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		other := db.Reopen(t)
		srv := smtptest.Start(t)
		const n = 1000
		mails := make([]store.Mail, n)
		for i := range mails {
			mails[i] = reset(fmt.Sprintf("official%04d@example.org", i))
		}
		enqueue(t, db.Store, mails...)
		opts := fast
		opts.Name = "a"
		run(t, db.Store, smtpTransport(t, srv, 2), opts)
		opts.Name = "b"
		run(t, other, smtpTransport(t, srv, 2), opts)
		waitCounts(t, db.Store, map[string]int64{store.MailSent: n})
		seen := map[string]int{}
		for _, m := range srv.Messages() {
			seen[m.To[0]]++
		}
		if len(seen) != n {
			t.Fatalf("%d distinct recipients got mail, want %d", len(seen), n)
		}
		for rcpt, times := range seen {
			if times != 1 {
				t.Fatalf("%s got %d copies", rcpt, times)
			}
		}
	})
}

// TestStopLosesNothing stops the queue (as on SIGTERM) while messages are
// queued, then starts a new one: every message arrives, once.
func TestStopLosesNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		srv := smtptest.Start(t)
		const n = 200
		mails := make([]store.Mail, n)
		for i := range mails {
			mails[i] = reset(fmt.Sprintf("signer%03d@example.org", i))
		}
		enqueue(t, db.Store, mails...)
		slow := fast
		slow.Rate = 200 // so that the stop lands mid-way
		_, stop := run(t, db.Store, smtpTransport(t, srv, 1), slow)
		// Stopped once the first message is in, not after a fixed time,
		// which a busy machine could spend before sending any.
		srv.Wait(1, 10*time.Second)
		stop()
		before := len(srv.Messages())
		if before == 0 || before == n {
			t.Fatalf("%d of %d sent before the stop: the test did not stop mid-way", before, n)
		}
		leased, err := db.CountWhere(context.Background(), "mail_messages", "status = 'queued' AND lease_until IS NOT NULL")
		if err != nil || leased != 0 {
			t.Fatalf("%d queued messages still leased after a clean stop (%v)", leased, err)
		}
		run(t, db.Store, smtpTransport(t, srv, 1), fast)
		waitCounts(t, db.Store, map[string]int64{store.MailSent: n})
		seen := map[string]int{}
		for _, m := range srv.Messages() {
			seen[m.To[0]]++
		}
		for rcpt, times := range seen {
			if times != 1 {
				t.Fatalf("%s got %d copies", rcpt, times)
			}
		}
		if len(seen) != n {
			t.Fatalf("%d recipients got mail, want %d", len(seen), n)
		}
	})
}

// TestExpiredLeaseIsTakenOver plays a worker killed with kill -9: it
// claimed messages and vanished. Once the lease runs out, another worker
// sends them.
func TestExpiredLeaseIsTakenOver(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		srv := smtptest.Start(t)
		enqueue(t, db.Store, reset("orphan1@example.org"), reset("orphan2@example.org"))
		claimed, err := db.ClaimMail(context.Background(), "dead-worker", 10, 300*time.Millisecond)
		if err != nil || len(claimed) != 2 {
			t.Fatalf("claimed %d, %v", len(claimed), err)
		}
		again, _ := db.ClaimMail(context.Background(), "other", 10, time.Minute)
		if len(again) != 0 {
			t.Fatalf("a leased message was claimed twice")
		}
		run(t, db.Store, smtpTransport(t, srv, 1), fast)
		waitCounts(t, db.Store, map[string]int64{store.MailSent: 2})
		if len(srv.Messages()) != 2 {
			t.Fatalf("%d messages arrived, want 2", len(srv.Messages()))
		}
	})
}

func TestDevOutboxHoldsTheMessage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		q, _ := run(t, db.Store, mailqueue.Outbox{Store: db.Store}, fast)
		enqueue(t, db.Store, reset("newcomer@example.org"))
		q.Wake()
		waitCounts(t, db.Store, map[string]int64{store.MailSent: 1})
		entries, err := db.ListOutbox(context.Background(), 10, store.OutboxFilter{})
		if err != nil || len(entries) != 1 {
			t.Fatalf("outbox: %d entries, %v", len(entries), err)
		}
		e := entries[0]
		if e.Recipient != "newcomer@example.org" || e.Subject != "Reset your password" || !strings.Contains(e.BodyText, "/reset/tok-") || !strings.Contains(e.BodyHTML, "<a href=") {
			t.Fatalf("outbox entry: %+v", e)
		}
	})
}

func TestLanguageFallsBackToEnglish(t *testing.T) {
	t.Parallel()
	c := catalog(t)
	params := []byte(`{"link":"http://x/reset/t","minutes":30}`)
	for lang, subject := range map[string]string{"be": "Скіданне пароля", "ru": "Сброс пароля", "en": "Reset your password", "de": "Reset your password", "be-BY": "Скіданне пароля"} {
		e, err := c.Render(mailers.KindPasswordReset, lang, params)
		if err != nil || e.Subject != subject {
			t.Errorf("%s: subject %q, %v; want %q", lang, e.Subject, err, subject)
		}
	}
	e, _ := c.Render(mailers.KindPasswordReset, "en", []byte(`{"link":"http://x/\"><script>alert(1)</script>","minutes":30}`))
	if strings.Contains(e.HTML, "<script>") {
		t.Fatalf("a parameter was not escaped in HTML:\n%s", e.HTML)
	}
}
