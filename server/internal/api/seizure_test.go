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
			if err := e.db.Checkpoint(t.Context()); err != nil {
				t.Fatal(err)
			}

			// The seizure: every byte the server holds, and its keys.
			raw := seizedBytes(t, db, e.cfg.DataDir)
			if !bytes.Contains(raw, []byte("Namepublicfalse"+run)) {
				t.Fatal("a public name is not in the copy: the search reads the wrong thing")
			}
			keys := privacy.NewKeys(e.cfg.DataKey)
			opened := openEverything(raw, keys)
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
						t.Errorf("%q is in the seized copy, encrypted with DATA_KEY", secret)
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
		all = append(all, postgresHeapFiles(t, db, "signatures", "campaign_keys", "campaigns", "mail_messages")...)
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
// holder of the seized configuration can.
func openEverything(raw []byte, keys privacy.Keys) []byte {
	var out []byte
	for _, c := range aesCiphertext.FindAll(raw, -1) {
		for n := len(c); n > 23; n-- { // a ciphertext may run into the next bytes
			if plain, err := keys.Decrypt(string(c[:n])); err == nil {
				out = append(out, plain...)
				out = append(out, '\n')
				break
			}
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
