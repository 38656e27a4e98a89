package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/mailqueue"
	"github.com/bnp/undersigned/server/internal/smtptest"
	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// TestDigestSurvivesAServerKilledMidSend runs undersigned as a process of
// its own, kills it with SIGKILL while it sends a digest to 100 officials,
// and starts it again. Every official gets the digest; the only second
// copies are of messages the SMTP server had accepted but the dead server
// had not yet recorded: at most connections × batch (sends are recorded in
// batches), and with the same Message-ID as the first copy. Another
// instance takes over the dead one's messages within 15 seconds.
func TestDigestSurvivesAServerKilledMidSend(t *testing.T) {
	t.Parallel()
	const (
		contacts    = 100
		connections = 4
		killAfter   = 30 // messages arrived
		admin       = "admin@example.org"
		password    = "correct horse battery staple"
	)
	for _, kind := range storetest.Kinds(t) {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			srv := smtptest.Start(t)
			dataDir := t.TempDir()
			vars := map[string]string{
				"DATA_DIR": dataDir, "SMTP_URL": srv.URL().String(),
				// 25 a second: the digest takes four seconds, time to kill
				// the server in the middle of it.
				"MAIL_RATE": "25", "MAIL_CONNECTIONS": fmt.Sprint(connections),
				"ADMIN_EMAIL": admin, "ADMIN_PASSWORD": password, "RATE_LIMITS": "off",
				"JWT_SECRET": strings.Repeat("s", 40), "DATA_KEY": strings.Repeat("ab", 32),
			}
			databaseURL := ""
			if kind == storetest.Postgres {
				databaseURL = storetest.MigratedSchema(t)
				vars["DATABASE_URL"] = databaseURL
			}

			first := startChild(t, vars)
			token := first.login(admin, password)
			var csv strings.Builder
			csv.WriteString("name,email,region\n")
			var emails []string
			for i := range contacts {
				email := fmt.Sprintf("eu-official-%03d@example.org", i)
				emails = append(emails, email)
				fmt.Fprintf(&csv, "Official %d,%s,eu\n", i, email)
			}
			if r := first.call("POST", "/api/v1/admin/contacts/import", token, csv.String(), 200); r["created"] != float64(contacts) {
				t.Fatalf("import = %v", r)
			}
			id := first.call("POST", "/api/v1/admin/digests", token, map[string]any{
				"region": "eu", "campaigns": []string{"release-all-political-prisoners"}, "subject": "Weekly update",
			}, 201)["id"].(string)
			if r := first.call("POST", "/api/v1/admin/digests/"+id+"/send", token, nil, 202); r["recipients"] != float64(contacts) {
				t.Fatalf("send = %v", r)
			}

			srv.Wait(killAfter, 20*time.Second)
			first.kill()
			killed := time.Now()
			arrived := len(srv.Messages())

			st, err := store.Open(ctx, databaseURL, filepath.Join(dataDir, "undersigned.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			now := time.Now().UTC()
			queued, err := st.CountWhere(ctx, "mail_messages", "ref = ? AND status = ?", id, store.MailQueued)
			if err != nil {
				t.Fatal(err)
			}
			held, err := st.CountWhere(ctx, "mail_messages", "ref = ? AND status = ? AND lease_until > ?", id, store.MailQueued, now)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("killed with %d messages arrived, %d still queued, %d of them leased to the dead server", arrived, queued, held)
			if arrived >= contacts || queued == 0 || held == 0 {
				t.Fatalf("the kill did not land in the middle of the send (%d arrived, %d queued, %d held)", arrived, queued, held)
			}
			// The dead server's messages are taken over once their lease runs
			// out: within 15 seconds of the kill.
			var orphans []string
			if err := st.Query(ctx, &orphans, "SELECT id FROM mail_messages WHERE ref = ? AND status = ? AND lease_until > ?", id, store.MailQueued, now); err != nil {
				t.Fatal(err)
			}
			if n := len(srv.Messages()); n != arrived {
				t.Fatalf("%d messages arrived after the kill, before the restart", n-arrived)
			}

			second := startChild(t, vars)
			token = second.login(admin, password)
			for {
				left, err := st.CountWhere(ctx, "mail_messages", "id IN ? AND status = ?", orphans, store.MailQueued)
				if err != nil {
					t.Fatal(err)
				}
				if left == 0 {
					t.Logf("the dead server's %d messages were sent %v after the kill", len(orphans), time.Since(killed).Round(100*time.Millisecond))
					break
				}
				if time.Since(killed) > 15*time.Second {
					t.Fatalf("%d of the dead server's %d messages still queued 15 s after the kill", left, len(orphans))
				}
				time.Sleep(50 * time.Millisecond)
			}
			deadline := time.Now().Add(20 * time.Second)
			var d map[string]any
			for {
				d = second.call("GET", "/api/v1/admin/digests/"+id, token, nil, 200)
				if d["status"] == "sent" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("after the restart the digest is still %v: %v", d["status"], d["counts"])
				}
				time.Sleep(50 * time.Millisecond)
			}
			// Stop it as an operator would: it finishes the message in hand,
			// so that a stray copy would arrive before the count.
			second.stop()

			if counts := d["counts"].(map[string]any); counts["recipients"] != float64(contacts) || counts["sent"] != float64(contacts) ||
				counts["failed"] != float64(0) || counts["pending"] != float64(0) {
				t.Fatalf("counts = %v", counts)
			}
			copies := map[string][]smtptest.Received{}
			for _, m := range srv.Messages() {
				copies[m.To[0]] = append(copies[m.To[0]], m)
			}
			duplicates := 0
			for _, email := range emails {
				got := copies[email]
				if len(got) == 0 {
					t.Errorf("%s never got the digest", email)
					continue
				}
				duplicates += len(got) - 1
				for _, m := range got[1:] {
					if m.Header.Get("Message-Id") != got[0].Header.Get("Message-Id") {
						t.Errorf("%s got copies with different Message-IDs: %q and %q", email, got[0].Header.Get("Message-Id"), m.Header.Get("Message-Id"))
					}
				}
			}
			t.Logf("%d messages in all, %d second copies", len(srv.Messages()), duplicates)
			if bound := connections * mailqueue.DefaultBatch; duplicates > bound {
				t.Fatalf("%d second copies, want at most %d (sent and not yet recorded at the kill: connections × batch)", duplicates, bound)
			}
		})
	}
}
