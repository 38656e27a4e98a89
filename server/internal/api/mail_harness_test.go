package api_test

import (
	"context"
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/bnp/undersigned/mailers"

	"github.com/bnp/undersigned/server/internal/api"
	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/digest"
	"github.com/bnp/undersigned/server/internal/mailqueue"
	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/smtptest"
	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// mailEnv is an env whose mail goes through the real queue to a real SMTP
// server started for the test.
type mailEnv struct {
	*env
	smtp  *smtptest.Server
	queue *mailqueue.Queue
}

// eachWithMail runs fn against a fresh mailEnv per database.
func eachWithMail(t *testing.T, fn func(t *testing.T, e *mailEnv)) {
	storetest.Each(t, func(t *testing.T, db storetest.DB) { fn(t, newMailEnv(t, db, nil)) })
}

func newMailEnv(t *testing.T, db storetest.DB, adjust func(*config.Config)) *mailEnv {
	t.Helper()
	return newMailEnvPolling(t, db, adjust, 0)
}

// eachWithMailPolling is eachWithMail with a queue that looks for due mail
// every poll (0: as in production), for a test whose mail another,
// vanished instance held: nothing wakes the queue when its leases run out.
func eachWithMailPolling(t *testing.T, poll time.Duration, fn func(t *testing.T, e *mailEnv)) {
	storetest.Each(t, func(t *testing.T, db storetest.DB) { fn(t, newMailEnvPolling(t, db, nil, poll)) })
}

func newMailEnvPolling(t *testing.T, db storetest.DB, adjust func(*config.Config), poll time.Duration) *mailEnv {
	t.Helper()
	srv := smtptest.Start(t)
	var q *mailqueue.Queue
	e := newEnvDeps(t, db, func(c *config.Config) {
		c.SMTPURL = srv.URL()
		if adjust != nil {
			adjust(c)
		}
	}, func(d *api.Deps) {
		q, d.Digests = startQueue(t, db, d.Config, srv, poll)
		d.Mail = q
		d.Intake.Mail = q
	})
	return &mailEnv{env: e, smtp: srv, queue: q}
}

// startQueue runs a mail queue to srv, with the digest service that
// renders for it, until the test ends. Unless told to poll, it polls as
// seldom as in production: what the API and the intake queue wakes it,
// and a retry this queue schedules wakes it when due.
func startQueue(t *testing.T, db storetest.DB, cfg config.Config, srv *smtptest.Server, poll time.Duration) (*mailqueue.Queue, *digest.Service) {
	t.Helper()
	catalog, err := mailers.NewCatalog(mailers.Site{})
	if err != nil {
		t.Fatal(err)
	}
	transport, err := mailers.NewSMTP(srv.URL(), cfg.MailFrom.String(), 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(transport.Close)
	digests := digestService(cfg, db.Store, catalog)
	q := mailqueue.New(db.Store, catalog, transport, mailqueue.Options{Workers: 2, Poll: poll, RetryBase: 20 * time.Millisecond,
		Expand: digests.Expand, Render: digests.Render})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); q.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return q, digests
}

// digestService is the digest service serve makes, on st.
func digestService(cfg config.Config, st *store.Store, catalog *mailers.Catalog) *digest.Service {
	return &digest.Service{Store: st, PublicURL: cfg.PublicURL.String(), Keys: privacy.NewKeys(cfg.DataKey), Catalog: catalog}
}

// linkIn finds the first link to {PUBLIC_URL}{prefix}{token} in a text part
// and returns the token.
func linkIn(t *testing.T, text, prefix string) string {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(prefix) + `([A-Za-z0-9_-]{20,})`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no %s link in:\n%s", prefix, text)
	}
	return m[1]
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// waitQueueIdle waits until no message is queued or being sent: then every
// email that a request caused has reached the SMTP server (or failed), and
// a test may count them to prove that no other one comes.
func (e *mailEnv) waitQueueIdle(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		n, err := e.db.CountWhere(t.Context(), "mail_messages", "status = ?", store.MailQueued)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages still queued", n)
		}
	}
}
