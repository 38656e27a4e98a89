package api_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// seizureSigner is one signature of the seizure test.
type seizureSigner struct {
	email, name, comment, visibility string
	updates, withdraw                bool
}

// seizureContact is the contact person of one endorsement.
type seizureContact struct{ email, name string }

// TestSeizureAfterClose plays the worst day of issue 14's threat model: the
// whole server is taken after a campaign closed (database files and WAL,
// DATA_DIR, the configuration with DATA_KEY), but not the coalition's
// identity, which lives offline. Nothing in the copy may give an address,
// a private name or a comment, nor answer "did X sign?" for the closed
// campaign; with the identity, the audited export still works.
func TestSeizureAfterClose(t *testing.T) {
	for _, kind := range storetest.Kinds(t) {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			coalition, err := privacy.NewIdentity()
			if err != nil {
				t.Fatal(err)
			}
			db := storetest.New(t, kind)
			e := newMailEnv(t, db, func(c *config.Config) { c.SealRecipients, c.DevSealIdentity = coalition.Recipient, "" })
			run := fmt.Sprintf("%d", time.Now().UnixNano()%1e9) // unique strings to look for
			var signers []seizureSigner
			for _, vis := range []string{"private", "initials", "public"} {
				for _, updates := range []bool{false, true} {
					who := fmt.Sprintf("%s%v%s", vis, updates, run)
					signers = append(signers, seizureSigner{email: "mail." + who + "@example.org", name: "Name" + who + " Surname",
						comment: "Comment" + who, visibility: vis, updates: updates})
				}
			}
			signers = append(signers,
				seizureSigner{email: "countonly" + run + "@example.org", visibility: "private", updates: true},
				seizureSigner{email: "withdrawn" + run + "@example.org", name: "Withdrawn" + run, visibility: "private", updates: true, withdraw: true, comment: "Gone" + run})
			for _, s := range signers {
				b := signBody(s.name, s.email)
				if s.name == "" {
					delete(b, "name")
				}
				b["visibility"], b["updates"], b["comment"] = s.visibility, s.updates, s.comment
				withdraw := e.signAndConfirm(t, b)
				if s.withdraw {
					e.send("POST", "/api/v1/signatures/withdraw", "", map[string]string{"token": withdraw}).wantStatus(t, 200)
				}
			}
			// Organisations' contact persons, in every state of review: none
			// may be in the copy either (threat-model row 1 held for them only
			// once they stopped being kept in plain text).
			var contacts []seizureContact
			moderator := e.token("moderator")
			for _, state := range []string{"unverified", "awaiting_review", "approved", "rejected"} {
				c := seizureContact{email: "contact." + state + run + "@example.org", name: "Kontakt" + state + run}
				contacts = append(contacts, c)
				b := endorseBody("Org "+state+" "+run, c.email)
				b["contact_name"] = c.name
				if state == "unverified" {
					e.send("POST", demo+"/endorsements", "", b).wantStatus(t, 202)
					e.waitMail(t, c.email, 1)
					continue
				}
				id := e.endorseAndVerify(t, b)
				switch state {
				case "approved":
					e.send("POST", "/api/v1/admin/endorsements/"+id+"/approve", moderator, nil).wantStatus(t, 200)
				case "rejected":
					e.send("POST", "/api/v1/admin/endorsements/"+id+"/reject", moderator, map[string]any{"reason": "Not found in any register."}).wantStatus(t, 200)
				}
			}
			waitSent(t, e)
			editor := e.token("editor")
			e.send("PATCH", "/api/v1/admin/campaigns/"+seededSlug, editor, map[string]any{"status": "closed"}).wantStatus(t, 200)
			if n, _ := e.db.CountRows(t.Context(), "campaign_keys"); n != 0 {
				t.Fatalf("%d campaign keys survive the close", n)
			}
			// As housekeeping does: a close whose scrub had to wait for an old
			// transaction is scrubbed again until it is done.
			for deadline := time.Now().Add(2 * time.Minute); ; {
				if n, _ := e.db.CountWhere(t.Context(), "campaigns", "status = 'closed' AND scrubbed_at IS NULL"); n == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the closed campaign was never scrubbed")
				}
				if _, err := e.db.ShredClosed(t.Context()); err != nil {
					t.Fatal(err)
				}
			}

			// An update sent after the close opens the kept addresses with the
			// identity and queues them again; once delivered, nothing of them
			// may stay behind (housekeeping rewrites the mail tables).
			u := e.send("POST", updatesPath, editor, map[string]any{"subject": "After the close", "body": "Thank you."}).wantStatus(t, 201).JSON(t)
			sent := e.send("POST", updatesPath+"/"+u["id"].(string)+"/send", editor, map[string]string{"identity": coalition.Secret}).wantStatus(t, 200).JSON(t)
			if sent["queued"] != float64(4) {
				t.Fatalf("the update after the close queued %v, want 4", sent["queued"])
			}
			waitSent(t, e)
			for _, s := range signers {
				got := false
				for _, m := range e.smtp.To(s.email) {
					got = got || m.Header.Get("Subject") == "After the close"
				}
				if got != (s.updates && !s.withdraw) {
					t.Errorf("%s received the update: %v", s.email, got)
				}
			}
			for deadline := time.Now().Add(2 * time.Minute); ; {
				if n, _ := e.db.CountWhere(t.Context(), "signer_updates", "scrubbed_at IS NULL"); n == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the update sent after the close was never scrubbed")
				}
				if _, err := e.db.ScrubClosedUpdates(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.db.Checkpoint(t.Context()); err != nil {
				t.Fatal(err)
			}

			// The seizure: every byte the server holds, and its keys.
			raw := seizedBytes(t, db, e.cfg.DataDir)
			if !bytes.Contains(raw, []byte("Namepublicfalse"+run)) {
				t.Fatal("a public name is not in the copy: the search reads the wrong thing")
			}
			keys := privacy.NewKeys(e.cfg.DataKey)
			// What the seized configuration opens: DATA_KEY's values, and the
			// mail queue's own sealer (bound to row and column) for the mail
			// tables and the endorsements' contacts.
			opened := openEverything(raw, keys, keys.Sealer("mail"), storetest.MailKeys.Sealer("mail"))
			for _, c := range contacts {
				for _, secret := range []string{c.email, strings.Split(c.email, "@")[0], c.name} {
					if bytes.Contains(raw, []byte(secret)) {
						t.Errorf("the contact %q is in the seized copy in plain text", secret)
					}
					if bytes.Contains(opened, []byte(secret)) {
						t.Errorf("the contact %q is in the seized copy, encrypted with keys the server holds", secret)
					}
				}
			}
			for _, s := range signers {
				secrets := []string{s.email, strings.Split(s.email, "@")[0], s.comment}
				if s.visibility == "private" || s.withdraw {
					secrets = append(secrets, s.name)
				}
				for _, secret := range secrets {
					if secret == "" {
						continue
					}
					if bytes.Contains(raw, []byte(secret)) {
						t.Errorf("%q is in the seized copy in plain text", secret)
					}
					if bytes.Contains(opened, []byte(secret)) {
						t.Errorf("%q is in the seized copy, encrypted with keys the server holds", secret)
					}
				}
				// "Did X sign?": every hash the copy's keys can make.
				canonical, _, _ := privacy.CanonicalEmail(s.email)
				for _, h := range membershipHashes(keys, opened, canonical) {
					if bytes.Contains(raw, []byte(h)) {
						t.Errorf("the copy answers whether %s signed (hash %s found)", s.email, h)
					}
				}
			}

			// With the coalition identity, the audited export opens what was kept.
			admin := e.token("admin")
			csv := string(e.send("POST", "/api/v1/admin/campaigns/"+seededSlug+"/signatures.csv", admin,
				map[string]string{"identity": coalition.Secret}).wantStatus(t, 200).Body)
			for _, s := range signers {
				switch {
				case s.withdraw:
					if strings.Contains(csv, s.email) || strings.Contains(csv, s.name) {
						t.Errorf("the withdrawn signer is in the export")
					}
				case s.updates != strings.Contains(csv, s.email):
					t.Errorf("export: address of %s present = %v, want %v (kept only for updates)", s.email, !s.updates, s.updates)
				case s.name != "" && !strings.Contains(csv, s.name), !strings.Contains(csv, s.comment):
					t.Errorf("export lacks the name or comment of %s:\n%s", s.email, csv)
				}
			}
		})
	}
}

// seizedBytes is everything a seizure copies: on SQLite the database file,
// its WAL and shared memory, and DATA_DIR; on PostgreSQL the dump and the
// heap files of the tables that hold signer data (WAL: see
// docs/threat-model.md), and DATA_DIR.
func seizedBytes(t *testing.T, db storetest.DB, dataDir string) []byte {
	t.Helper()
	all := rawDatabase(t, db)
	if db.Kind == storetest.Postgres {
		all = append(all, postgresHeapFiles(t, db, "signatures", "campaign_keys", "campaigns", "mail_messages",
			"endorsements", "endorsement_contacts_legacy", "dev_outbox", "intake", "signer_updates")...)
	}
	_ = filepath.WalkDir(dataDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			all = append(all, b...)
		}
		return nil
	})
	return all
}

// postgresHeapFiles reads the tables' files in the data directory after a
// CHECKPOINT, dead tuples included, when the test may read them.
func postgresHeapFiles(t *testing.T, db storetest.DB, tables ...string) []byte {
	t.Helper()
	ctx := t.Context()
	if err := db.Exec(ctx, "CHECKPOINT"); err != nil {
		t.Logf("no CHECKPOINT (%v): heap files not read", err)
		return nil
	}
	var dataDir string
	if err := db.Raw(ctx, &dataDir, "SHOW data_directory"); err != nil {
		t.Logf("data directory unknown (%v)", err)
		return nil
	}
	var all []byte
	for _, table := range tables {
		var rel string
		if err := db.Raw(ctx, &rel, "SELECT pg_relation_filepath(?::regclass)", table); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dataDir, rel))
		if err != nil {
			t.Logf("cannot read %s's heap file (%v): only the dump is searched", table, err)
			return nil
		}
		all = append(all, b...)
	}
	return all
}

var aesCiphertext = regexp.MustCompile(`v1\.[A-Za-z0-9_-]{20,}`)

// openEverything decrypts every DATA_KEY ciphertext in the copy, as the
// holder of the seized configuration can: with Keys.Decrypt, and with
// each sealer (privacy.Keys.Sealer) for every place the value may be bound
// to: a sealed column of the row whose id is written shortly before it.
func openEverything(raw []byte, keys privacy.Keys, sealers ...*privacy.Sealer) []byte {
	var out []byte
	for _, at := range aesCiphertext.FindAllIndex(raw, -1) {
		c := raw[at[0]:at[1]]
		opened := false
		for n := len(c); n > 23 && !opened; n-- { // a ciphertext may run into the next bytes
			if plain, err := keys.Decrypt(string(c[:n])); err == nil {
				out = append(append(out, plain...), '\n')
				opened = true
			}
		}
		if opened || len(sealers) == 0 {
			continue
		}
		var wheres []string
		for _, id := range nearbyIDs(raw, at[0]) {
			for _, column := range sealedColumns {
				wheres = append(wheres, column+":"+id)
			}
		}
		// Bound values run into at most the next column or two (SQLite
		// writes a row's values back to back: a language code, a hash).
		for n := len(c); n > 23 && n >= len(c)-128 && !opened; n-- {
			for _, s := range sealers {
				for _, where := range wheres {
					if plain, err := s.Open(string(c[:n]), where); err == nil {
						out = append(append(out, plain...), '\n')
						opened = true
						break
					}
				}
			}
		}
	}
	return out
}

// sealedColumns are where the store's cipher binds the values it seals.
var sealedColumns = []string{"mail_messages.recipient", "mail_messages.params", "endorsements.contact_encrypted",
	"dev_outbox.recipient", "dev_outbox.headers", "dev_outbox.body_text", "dev_outbox.body_html"}

var rowID = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// nearbyIDs are the row ids written in the 4 kB before offset at: a row
// starts with its id, in both stores.
func nearbyIDs(raw []byte, at int) []string {
	ids := rowID.FindAll(raw[max(0, at-4096):at], -1)
	seen := map[string]bool{}
	var out []string
	for i := len(ids) - 1; i >= 0 && len(out) < 12; i-- {
		if id := string(ids[i]); !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// membershipHashes are the hashes of an address that the copy's keys can
// make: the old global one, and one per campaign key found opened.
func membershipHashes(keys privacy.Keys, opened []byte, canonical string) []string {
	hashes := []string{keys.EmailHash(canonical)}
	for _, line := range strings.Split(string(opened), "\n") {
		key, err := hex.DecodeString(line)
		if err != nil || len(key) != 32 {
			continue
		}
		m := hmac.New(sha256.New, key)
		m.Write([]byte("email\x00" + canonical))
		hashes = append(hashes, base64.RawURLEncoding.EncodeToString(m.Sum(nil)))
	}
	return hashes
}
