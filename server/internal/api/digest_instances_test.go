package api_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/api"
	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/mailqueue"
	"github.com/bnp/undersigned/server/internal/smtptest"
	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// instance is one of several servers sharing a database, wired as serve
// wires one: its own connection pool, API and mail queue. It counts the
// messages its queue handed to the SMTP server.
type instance struct {
	*env
	delivered *countingTransport
	stop      func()
}

// countingTransport counts the messages the SMTP server accepted from it.
type countingTransport struct {
	mailers.Transport
	n atomic.Int64
}

func (c *countingTransport) Send(ctx context.Context, m *mailers.Message) error {
	err := c.Transport.Send(ctx, m)
	if err == nil {
		c.n.Add(1)
	}
	return err
}

// startInstance runs an API and a mail queue on st, sending to srv, with
// base's configuration and staff accounts. stop ends its queue, which
// finishes the message in hand and gives back the others.
func startInstance(t *testing.T, base *env, st *store.Store, srv *smtptest.Server, opts mailqueue.Options) *instance {
	t.Helper()
	db := storetest.DB{Store: st, Kind: base.db.Kind, URL: base.db.URL, Path: base.db.Path}
	catalog, err := mailers.NewCatalog(mailers.Site{})
	if err != nil {
		t.Fatal(err)
	}
	transport, err := mailers.NewSMTP(srv.URL(), base.cfg.MailFrom.String(), opts.Workers)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(transport.Close)
	counted := &countingTransport{Transport: transport}
	digests := digestService(base.cfg, st, catalog)
	opts.Expand, opts.Render = digests.Expand, digests.Render
	q := mailqueue.New(st, catalog, counted, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); q.Run(ctx) }()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	deps := testDeps(t, base.cfg, db, base.tokens)
	deps.Mail, deps.Digests = q, digests
	e := &env{t: t, db: db, app: api.New(deps), cfg: base.cfg, tokens: base.tokens, users: base.users}
	return &instance{env: e, delivered: counted, stop: stop}
}

// TestTwoInstancesSendOneDigestOncePerContact: two servers, each with its
// own connection pool, API and mail queue on one database, are both asked
// to send the same digest at the same moment and deliver it together to
// one SMTP server. Each official gets exactly one copy, the counts add up
// and the digest ends sent.
func TestTwoInstancesSendOneDigestOncePerContact(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		ctx := context.Background()
		srv := smtptest.Start(t)
		base := newEnv(t, db, func(c *config.Config) { c.SMTPURL = srv.URL() })
		pool := db.Reopen(t)
		// A rate cap per instance spreads the work over about a second, so
		// that both queues are busy with the digest at the same time.
		opts := mailqueue.Options{Workers: 2, Rate: 100, Poll: 20 * time.Millisecond, RetryBase: 20 * time.Millisecond}
		a := startInstance(t, base, db.Store, srv, opts)
		b := startInstance(t, base, pool, srv, opts)

		const contacts = 200
		editor := a.token("editor")
		var csv strings.Builder
		csv.WriteString("name,email,region\n")
		var emails []string
		for i := range contacts {
			email := fmt.Sprintf("eu-official-%03d@example.org", i)
			emails = append(emails, email)
			fmt.Fprintf(&csv, "Official %d,%s,eu\n", i, email)
		}
		imported := a.do(req{method: "POST", path: "/api/v1/admin/contacts/import", raw: csv.String(), contentType: "text/csv", token: editor}).wantStatus(t, 200).JSON(t)
		if imported["created"] != float64(contacts) {
			t.Fatalf("import = %v", imported)
		}
		id := a.draftDigest(t, "eu")

		start := make(chan struct{})
		var answers [2]response
		var wg sync.WaitGroup
		for i, inst := range []*instance{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				answers[i] = inst.send("POST", "/api/v1/admin/digests/"+id+"/send", editor, nil)
			}()
		}
		close(start)
		wg.Wait()
		for i, r := range answers {
			if body := r.wantStatus(t, 202).JSON(t); body["status"] != "sending" || body["recipients"] != float64(contacts) {
				t.Fatalf("instance %d answered %s", i, r.Body)
			}
		}

		d := b.waitDigest(t, id)
		// Each queue finishes the message in hand: a stray second copy
		// would have arrived once both have stopped.
		a.stop()
		b.stop()

		counts := d["counts"].(map[string]any)
		if counts["recipients"] != float64(contacts) || counts["sent"] != float64(contacts) ||
			counts["failed"] != float64(0) || counts["pending"] != float64(0) {
			t.Fatalf("counts = %v", counts)
		}
		perContact := map[string]int{}
		messageIDs := map[string]bool{}
		for _, m := range srv.Messages() {
			if len(m.To) != 1 {
				t.Fatalf("a message to %v", m.To)
			}
			perContact[m.To[0]]++
			mid := m.Header.Get("Message-Id")
			if !strings.HasPrefix(mid, "<digest-"+id+"-") || messageIDs[mid] {
				t.Fatalf("Message-ID %q: not this digest's, or seen before", mid)
			}
			messageIDs[mid] = true
		}
		for _, email := range emails {
			if perContact[email] != 1 {
				t.Errorf("%s got %d copies, want 1", email, perContact[email])
			}
		}
		if got := len(srv.Messages()); got != contacts {
			t.Fatalf("the SMTP server accepted %d messages, want %d", got, contacts)
		}
		na, nb := a.delivered.n.Load(), b.delivered.n.Load()
		t.Logf("instance a delivered %d, instance b %d", na, nb)
		if na == 0 || nb == 0 || na+nb != contacts {
			t.Fatalf("deliveries by instance: %d and %d, want both busy and %d in all", na, nb, contacts)
		}
		for _, inst := range []*instance{a, b} {
			if again := inst.get("/api/v1/admin/digests/"+id, editor).wantStatus(t, 200).JSON(t); again["status"] != "sent" {
				t.Fatalf("one instance sees the digest %v", again["status"])
			}
		}
		if n, err := pool.CountWhere(ctx, "mail_messages", "ref = ? AND status = ?", id, store.MailSent); err != nil || n != contacts {
			t.Fatalf("%d deliveries recorded as sent (%v), want %d", n, err, contacts)
		}
		sends := 0
		for _, it := range a.get("/api/v1/admin/audit", a.token("admin")).wantStatus(t, 200).JSON(t)["items"].([]any) {
			if rec := it.(map[string]any); rec["action"] == "digest.send" && rec["target"] == id {
				sends++
				if rec["rows"] != float64(contacts) {
					t.Fatalf("audit %v", rec)
				}
			}
		}
		if sends != 1 {
			t.Fatalf("%d digest.send audit records, want 1", sends)
		}
	})
}
