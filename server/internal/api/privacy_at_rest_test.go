// The privacy-at-rest test of issue 11 ("Tests and measurements").
//
// It runs in every `go test`, on both stores: addresses, private names,
// tokens and links must be nowhere on disk in plain text (the intake and
// the mail queue seal them with the data key; names, comments and update
// addresses are sealed to the coalition's age recipients).
package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

func TestNothingPersonalAtRest(t *testing.T) {
	for _, kind := range storetest.Kinds(t) {
		t.Run(string(kind), func(t *testing.T) {
			started := time.Now()
			db := storetest.New(t, kind)
			// A public URL of its own, so that links other tests write into
			// the same PostgreSQL's WAL meanwhile are not taken for ours.
			tag := fmt.Sprintf("%d", time.Now().UnixNano())
			host := "at-rest-" + tag + ".test"
			e := newMailEnv(t, db, func(c *config.Config) {
				c.TrustedProxies = []string{"0.0.0.0/0"}
				c.PublicURL = &url.URL{Scheme: "http", Host: host}
			})
			public := e.cfg.PublicURL.String()
			type secret struct{ text, what, waitsFor string }
			var secrets []secret

			// W signs (with updates), confirms and withdraws.
			w := signBody("Wanda Withdrawnova", "wanda.withdrawn@example.org")
			w["updates"] = true
			withdraw := e.signAndConfirm(t, w)
			e.send("POST", "/api/v1/signatures/withdraw", "", map[string]string{"token": withdraw}).wantStatus(t, 200)
			secrets = append(secrets,
				secret{"wanda.withdrawn@example.org", "a withdrawn signer's address", ""},
				secret{"Wanda Withdrawnova", "a withdrawn signer's name", "sealed"},
				secret{withdraw, "a spent withdrawal token", ""})

			// K signs privately without updates and confirms: stays signed.
			kept := e.signAndConfirm(t, signBody("Kastus Privatny", "kastus.kept@example.org"))
			secrets = append(secrets,
				secret{"kastus.kept@example.org", "a confirmed signer's address", ""},
				secret{"Kastus Privatny", "a private signer's name", "sealed"},
				secret{kept, "a live withdrawal token", ""})

			// An endorsement verified awaits review: its contact is kept for
			// the review emails, but never in plain text.
			// (Addresses and names of this test's own: other tests, of other
			// versions, write into the same PostgreSQL's WAL meanwhile.)
			reviewed := endorseBody("Reviewed Org", "reviewed.contact."+tag+"@example.org")
			reviewed["contact_name"] = "Kontakt Reviewova " + tag
			e.endorseAndVerify(t, reviewed)

			// The relay goes down: Q's email stays queued; E's too, until
			// its signature expires; a staff reset link and an endorsement's
			// verification link wait as well.
			e.smtp.Stop()
			// E signs first and is the only pending signer when its link is
			// made to expire (names are sealed: no row can be found by one).
			e.send("POST", demo+"/signatures", "", signBody("Expired Ekaterina", "expired.ekaterina@example.org")).wantStatus(t, 202)
			e.settle()
			if err := db.Exec(t.Context(), "UPDATE signatures SET token_expires_at = ? WHERE status = 'pending'",
				time.Now().UTC().Add(-time.Minute)); err != nil {
				t.Fatal(err)
			}
			e.send("POST", demo+"/signatures", "", signBody("Queued Quietova", "queued.quietova@example.org")).wantStatus(t, 202)
			e.send("POST", "/api/v1/auth/password-reset", "", map[string]string{"email": e.users[store.RoleViewer].Email}).wantStatus(t, 202)
			contact := endorseBody("Quiet Org", "quiet.contact."+tag+"@example.org")
			contact["contact_name"] = "Kontakt Quietova " + tag
			e.send("POST", demo+"/endorsements", "", contact).wantStatus(t, 202)
			e.settle()
			if n, err := db.DeleteUnconfirmed(t.Context()); err != nil || n != 1 {
				t.Fatalf("DeleteUnconfirmed = %d, %v", n, err)
			}
			secrets = append(secrets,
				secret{"queued.quietova@example.org", "a queued email's address", ""},
				secret{"Queued Quietova", "a pending private signer's name", "sealed"},
				secret{"expired.ekaterina@example.org", "an expired signer's address", ""},
				secret{"Expired Ekaterina", "an expired signer's name", "sealed"},
				secret{public + "/confirm/", "a confirmation link", ""},
				secret{public + "/withdraw/", "a withdrawal link", ""},
				secret{public + "/reset/", "a password reset link", ""},
				secret{public + "/endorse/confirm/", "an endorsement's verification link", ""},
				secret{contact["contact_email"].(string), "an unverified endorsement's contact address", ""},
				secret{contact["contact_name"].(string), "an unverified endorsement's contact name", ""},
				secret{reviewed["contact_email"].(string), "a pending endorsement's contact address", ""},
				secret{reviewed["contact_name"].(string), "a pending endorsement's contact name", ""})

			// What the intake controls: no request waits in it, and no email
			// about a withdrawn or expired signature is still queued.
			if n := e.count("intake"); n != 0 {
				t.Errorf("intake: %d requests still waiting", n)
			}
			if n, err := db.CountWhere(t.Context(), "mail_messages", "status = 'queued' AND kind LIKE 'signature%' AND ref NOT IN (SELECT id FROM signatures)"); err != nil || n != 0 {
				t.Errorf("intake: %d queued emails about signatures that no longer exist (%v)", n, err)
			}

			raw, where := rawFiles(t, db, started)
			if !bytes.Contains(raw, []byte("Statement of the Belarusian National Platform")) {
				t.Fatalf("the campaign's title is not in %s: the search reads the wrong thing", where)
			}
			for _, s := range secrets {
				if bytes.Contains(raw, []byte(s.text)) {
					t.Errorf("%s (%q) is in %s in plain text", s.what, s.text, where)
				}
			}
		})
	}
}

// rawFiles forces a checkpoint and returns the raw bytes the database has
// on disk: SQLite's file and write-ahead log; on PostgreSQL the files of the
// test schema's tables, indexes and TOAST, and the WAL segments written
// since the test started, when this process can read them, else a pg_dump.
func rawFiles(t *testing.T, db storetest.DB, since time.Time) ([]byte, string) {
	t.Helper()
	ctx := context.Background()
	if db.Kind == storetest.SQLite {
		if err := db.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		return rawDatabase(t, db), "the SQLite file and its WAL"
	}
	if err := db.Exec(ctx, "CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
	dirs, err := db.QueryStrings(ctx, "SHOW data_directory")
	if err != nil || len(dirs) != 1 {
		t.Fatalf("data_directory: %v %v", dirs, err)
	}
	dataDir := dirs[0]
	if _, err := os.ReadDir(filepath.Join(dataDir, "pg_wal")); err != nil {
		t.Logf("PostgreSQL's files are not readable here (%v): searching a pg_dump instead", err)
		return rawDatabase(t, db), "a pg_dump"
	}
	u, _ := url.Parse(db.URL)
	schema := u.Query().Get("search_path")
	rels, err := db.QueryStrings(ctx, `SELECT pg_relation_filepath(c.oid) FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = ? AND c.relkind IN ('r', 'i', 'm')
		UNION SELECT pg_relation_filepath(c.reltoastrelid) FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.reltoastrelid <> 0
		UNION SELECT pg_relation_filepath(i.indexrelid) FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_index i ON i.indrelid = c.reltoastrelid
		WHERE n.nspname = ? AND c.reltoastrelid <> 0`, schema, schema, schema)
	if err != nil || len(rels) < 10 {
		t.Fatalf("relation files: %d, %v", len(rels), err)
	}
	var all []byte
	for _, rel := range rels {
		// A relation over 1 GB continues in rel.1, rel.2, …; the free space
		// and visibility maps hold no tuples.
		matches, _ := filepath.Glob(filepath.Join(dataDir, rel) + "*")
		for _, m := range matches {
			if strings.HasSuffix(m, "_fsm") || strings.HasSuffix(m, "_vm") {
				continue
			}
			b, err := os.ReadFile(m)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
	}
	segments, _ := os.ReadDir(filepath.Join(dataDir, "pg_wal"))
	walBytes := 0
	for _, s := range segments {
		info, err := s.Info()
		if err != nil || s.IsDir() || info.ModTime().Before(since.Add(-time.Second)) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dataDir, "pg_wal", s.Name()))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
		walBytes += len(b)
	}
	return all, fmt.Sprintf("PostgreSQL's data files of the schema and %d MB of pg_wal", walBytes>>20)
}
