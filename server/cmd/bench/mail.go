package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/wneessen/go-mail"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/mailqueue"
	"github.com/bnp/undersigned/server/internal/store"
)

const benchFrom = "undersigned <no-reply@bench.localhost>"

// benchMail measures delivery to the sink through the durable queue (its
// database claims and marks included) and, in the same run, a raw go-mail
// loop over the same number of connections: the ceiling of the transport.
// The server is stopped first so that its own workers take no part.
func benchMail(ctx context.Context, e *benchEnv) ([]result, error) {
	if err := e.stopServer(ctx); err != nil {
		return nil, err
	}
	catalog, err := mailers.NewCatalog(mailers.Site{})
	if err != nil {
		return nil, err
	}
	sink, _ := url.Parse("smtp://" + e.sinkAddr + "?tls=none")
	var results []result
	for _, conns := range []int{1, 4} {
		// The reference is measured just before and just after the queue, and
		// averaged: on a machine whose load drifts, one reference taken at
		// another moment would move the ratio more than the queue does.
		before, err := e.rawGoMail(catalog, conns)
		if err != nil {
			return nil, err
		}
		rate, err := e.queueRun(ctx, catalog, sink, conns)
		if err != nil {
			return nil, err
		}
		after, err := e.rawGoMail(catalog, conns)
		if err != nil {
			return nil, err
		}
		raw := (before + after) / 2
		log.Printf("raw go-mail, %d connection(s): %.0f msg/s before the queue, %.0f after", conns, before, after)
		results = append(results,
			result{fmt.Sprintf("mail via queue, %d connection(s)", conns), fmt.Sprintf("%.0f msg/s", rate), "", fmt.Sprintf("%d messages, claim+send+mark", e.o.mailCount)},
			result{fmt.Sprintf("mail raw go-mail loop, %d connection(s)", conns), fmt.Sprintf("%.0f msg/s", raw), "", fmt.Sprintf("same messages, no database; mean of %.0f before and %.0f after", before, after)},
			ratioResult(fmt.Sprintf("mail queue / raw go-mail, %d conn.", conns), rate, raw, 0.9))
	}
	return results, nil
}

// ratioResult is a measure against its same-run reference, beside its goal.
func ratioResult(name string, measured, reference, goal float64) result {
	ratio := measured / reference
	verdict := "met"
	if ratio < goal {
		verdict = "NOT met"
	}
	return result{name, fmt.Sprintf("%.2f", ratio), "", fmt.Sprintf("goal >= %.2f: %s", goal, verdict)}
}

func resetMail(i int) store.Mail {
	o := mailers.PasswordReset(mailers.PasswordResetParams{Link: fmt.Sprintf("http://localhost:8080/reset/token-%d", i), Minutes: 30})
	return store.Mail{Kind: o.Kind, Language: o.Language, Params: o.Params, Recipient: fmt.Sprintf("official%d@example.org", i)}
}

func (e *benchEnv) queueRun(ctx context.Context, catalog *mailers.Catalog, sink *url.URL, conns int) (float64, error) {
	// The confirmation emails of the sign measure may still be queued: the
	// queue must hold only this run's messages.
	if err := e.store.Exec(ctx, "DELETE FROM mail_messages"); err != nil {
		return 0, err
	}
	mails := make([]store.Mail, e.o.mailCount)
	for i := range mails {
		mails[i] = resetMail(i)
	}
	if err := e.store.EnqueueMail(ctx, mails...); err != nil {
		return 0, err
	}
	transport, err := mailers.NewSMTP(sink, benchFrom, conns, mailers.WithHELO("bench.localhost"))
	if err != nil {
		return 0, err
	}
	defer transport.Close()
	// The queue as serve.go makes it: default batch, lease and poll.
	q := mailqueue.New(e.store, catalog, transport, mailqueue.Options{Workers: conns})
	elapsed, err := e.runQueue(ctx, q, "", e.o.mailCount)
	if err != nil {
		return 0, err
	}
	log.Printf("queue, %d connection(s): %d messages in %v", conns, e.o.mailCount, elapsed)
	return float64(e.o.mailCount) / elapsed.Seconds(), nil
}

// waitArrived waits until each of n messages has reached the sink or
// failed for good. It watches counts in this process (the sink's, and the
// queue's count of messages failed for good, which never arrive), not the
// database: a count of the queue by status is a scan of the table (11 ms
// for 20,000 rows, a parallel scan of 200-500 ms for a digest's 100,000),
// which would take PostgreSQL's CPU from the queue it measures.
func (e *benchEnv) waitArrived(n int, receivedBefore int64) {
	failedBefore, failed := failedTotal(), 0.0
	for i := 0; e.received.Load()-receivedBefore+int64(failed-failedBefore) < int64(n); i++ {
		time.Sleep(2 * time.Millisecond)
		if i%50 == 0 {
			failed = failedTotal()
		}
	}
}

// runQueue runs q until n messages have arrived and q has stopped, which
// records every send (a stopping queue records what it sent before it
// returns), and returns how long that took. It then checks that each
// message reached the sink once and was recorded as sent once.
func (e *benchEnv) runQueue(ctx context.Context, q *mailqueue.Queue, ref string, n int) (time.Duration, error) {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	received := e.received.Load()
	start := time.Now()
	go func() { defer close(done); q.Run(runCtx) }()
	e.waitArrived(n, received)
	cancel()
	<-done
	elapsed := time.Since(start)
	counts, err := e.store.MailCounts(ctx, ref)
	if err != nil {
		return 0, err
	}
	if got := e.received.Load() - received; got != int64(n) || counts[store.MailSent] != int64(n) || counts[store.MailQueued] != 0 {
		e.failed = true
		log.Printf("NOT exactly once: %d messages queued, %d reached the sink, %d recorded as sent, %d failed, %d still queued",
			n, got, counts[store.MailSent], counts[store.MailFailed], counts[store.MailQueued])
	}
	return elapsed, nil
}

// failedTotal is the mail queue's count of messages failed for good
// (undersigned_mail_failed_total), read from this process's metrics.
func failedTotal() float64 {
	families, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		return 0
	}
	var n float64
	for _, f := range families {
		if f.GetName() != "undersigned_mail_failed_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			n += m.GetCounter().GetValue()
		}
	}
	return n
}

func (e *benchEnv) rawGoMail(catalog *mailers.Catalog, conns int) (float64, error) {
	email, err := catalog.Render(mailers.KindPasswordReset, "en", resetMail(0).Params)
	if err != nil {
		return 0, err
	}
	return e.rawSend([]mailers.Email{email}, conns)
}

// rawSend sends rendered emails (the i-th message is emails[i % len]),
// mailCount in all, over conns go-mail connections, with no database and
// no rendering: the transport's ceiling.
// Like the queue's transport, it sends no NOOP before each message (go-mail's
// default, one more round trip per message, would flatter the queue).
func (e *benchEnv) rawSend(emails []mailers.Email, conns int) (float64, error) {
	host, portText, _ := net.SplitHostPort(e.sinkAddr)
	port, err := strconv.Atoi(portText)
	if err != nil {
		return 0, err
	}
	per := e.o.mailCount / conns
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	start := time.Now()
	for c := 0; c < conns; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			client, err := mail.NewClient(host, mail.WithPort(port), mail.WithTLSPortPolicy(mail.NoTLS), mail.WithoutNoop())
			if err != nil {
				errs <- err
				return
			}
			if err := client.DialWithContext(context.Background()); err != nil {
				errs <- err
				return
			}
			defer client.Close()
			for i := 0; i < per; i++ {
				email := emails[(c*per+i)%len(emails)]
				m := mail.NewMsg()
				_ = m.From(benchFrom)
				_ = m.To(fmt.Sprintf("raw%d-%d@example.org", c, i))
				m.Subject(email.Subject)
				for k, v := range email.Headers {
					m.SetGenHeader(mail.Header(k), v)
				}
				m.SetBodyString(mail.TypeTextPlain, email.Text)
				m.AddAlternativeString(mail.TypeTextHTML, email.HTML)
				if err := client.Send(m); err != nil {
					errs <- err
					return
				}
			}
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		return 0, err
	}
	return float64(per*conns) / elapsed.Seconds(), nil
}

// stopServer stops the server under test (once), keeping the database and
// the sink for measures that run the queue in this process.
func (e *benchEnv) stopServer(ctx context.Context) error {
	if e.server == nil || e.server.Process == nil {
		return nil
	}
	e.close()
	e.server = nil
	var err error
	if e.store, err = store.Open(ctx, e.dbURL, "", benchCipher); err != nil {
		return err
	}
	return e.startSink()
}
