package api_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/bnp/undersigned/frontend"
	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
)

// promiseChecks holds, for each promise the sign form and the privacy page
// make about who can see what (frontend/src/lib/signForm.js `promises`),
// the behaviour that makes it true. TestSignersAreToldTheTruth fails when a
// promise has no check, when a language lacks it, or when the server does
// not do what it says (issue 11 hole 9, issue 14 goal 6).
var promiseChecks = map[string]func(t *testing.T, e *mailEnv, w *truthWorld){
	"truth.public": func(t *testing.T, e *mailEnv, w *truthWorld) {
		listed := string(e.get(demo+"/signers", "").wantStatus(t, 200).Body)
		if !strings.Contains(listed, "Open Signer") || strings.Contains(listed, "Secret Person") {
			t.Fatalf("public list: %s", listed)
		}
	},
	"truth.staff": func(t *testing.T, e *mailEnv, w *truthWorld) {
		for _, it := range w.staffList(t, e) {
			v := it.(map[string]any)
			if v["email"] != nil || v["comment"] != nil {
				t.Fatalf("staff read an address or a comment: %v", v)
			}
			if v["visibility"] == "private" && v["name"] != nil {
				t.Fatalf("staff read a private name: %v", v)
			}
			if v["country"] == "" || v["created_at"] == nil {
				t.Fatalf("staff lack country or date: %v", v)
			}
		}
		csv := string(e.get("/api/v1/admin/campaigns/"+seededSlug+"/signatures.csv", e.token(store.RoleAdmin)).wantStatus(t, 200).Body)
		if strings.Contains(csv, "Secret Person") || strings.Contains(csv, "@example.org") || strings.Contains(csv, "my comment") {
			t.Fatalf("the staff export without the identity reads sealed data:\n%s", csv)
		}
	},
	"truth.coalition": func(t *testing.T, e *mailEnv, w *truthWorld) {
		open, err := privacy.ParseIdentity(e.identity(t))
		if err != nil {
			t.Fatal(err)
		}
		var sealed string
		if err := e.db.Raw(t.Context(), &sealed, "SELECT name_sealed FROM signatures WHERE name IS NULL AND name_sealed IS NOT NULL"); err != nil {
			t.Fatal(err)
		}
		if name, err := open.Open(sealed); err != nil || name != "Secret Person" {
			t.Fatalf("the identity opens %q, %v", name, err)
		}
	},
	"truth.server": func(t *testing.T, e *mailEnv, w *truthWorld) {
		var sealed string
		if err := e.db.Raw(t.Context(), &sealed, "SELECT email_sealed FROM signatures WHERE email_sealed IS NOT NULL"); err != nil {
			t.Fatal(err)
		}
		if _, err := privacy.NewKeys(e.cfg.DataKey).Decrypt(sealed); err == nil || !strings.HasPrefix(sealed, "s1.") {
			t.Fatal("the server's own keys open a sealed address")
		}
		e.send("POST", "/api/v1/admin/campaigns/"+seededSlug+"/signatures.csv", e.token(store.RoleAdmin), map[string]string{}).wantError(t, 422, "validation_failed")
	},
	"truth.close": func(t *testing.T, e *mailEnv, w *truthWorld) {
		e.send("PATCH", "/api/v1/admin/campaigns/"+seededSlug, e.token(store.RoleEditor), map[string]any{"status": "closed"}).wantStatus(t, 200)
		if n, _ := e.db.CountRows(t.Context(), "campaign_keys"); n != 0 {
			t.Fatalf("%d dedup keys survive the close", n)
		}
		if n, _ := e.db.CountWhere(t.Context(), "signatures", "email_hash NOT LIKE 'closed:%'"); n != 0 {
			t.Fatalf("%d hashes survive the close", n)
		}
		items := e.get("/api/v1/admin/campaigns/"+seededSlug+"/signatures?email=secret@example.org", e.token(store.RoleAdmin)).wantStatus(t, 200).JSON(t)["items"].([]any)
		if len(items) != 0 {
			t.Fatal("a search by address still finds a signer of the closed campaign")
		}
	},
	"truth.email": func(t *testing.T, e *mailEnv, w *truthWorld) {
		if n, _ := e.db.CountWhere(t.Context(), "signatures", "updates = ? AND (email_sealed IS NOT NULL OR email_encrypted IS NOT NULL)", false); n != 0 {
			t.Fatalf("%d addresses kept without news asked for", n)
		}
		var id string
		if err := e.db.Raw(t.Context(), &id, "SELECT id FROM signatures WHERE email_sealed IS NOT NULL"); err != nil {
			t.Fatal(err)
		}
		token := privacy.NewKeys(e.cfg.DataKey).UpdateUnsubscribeToken(id)
		e.send("POST", "/api/v1/contacts/unsubscribe", "", map[string]string{"token": token}).wantStatus(t, 200)
		if n, _ := e.db.CountWhere(t.Context(), "signatures", "id = ? AND email_sealed IS NOT NULL", id); n != 0 {
			t.Fatal("the unsubscribe link did not delete the address")
		}
	},
	"truth.countOnly": func(t *testing.T, e *mailEnv, w *truthWorld) {
		for _, it := range w.staffList(t, e) {
			v := it.(map[string]any)
			if v["count_only"] == true {
				if v["name"] != nil || v["name_sealed"] == true || v["country"] != "LT" {
					t.Fatalf("a count-only signature shows %v", v)
				}
				return
			}
		}
		t.Fatal("the count-only signature is not counted")
	},
}

// truthWorld is the signatures the promises are checked against.
type truthWorld struct{}

func (w *truthWorld) staffList(t *testing.T, e *mailEnv) []any {
	t.Helper()
	return e.get("/api/v1/admin/campaigns/"+seededSlug+"/signatures", e.token(store.RoleAdmin)).wantStatus(t, 200).JSON(t)["items"].([]any)
}

func TestSignersAreToldTheTruth(t *testing.T) {
	promises := formPromises(t)
	for _, lang := range []string{"en", "be", "ru"} {
		b, err := frontend.Messages.ReadFile("src/lib/messages/" + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for _, key := range append(promises, "truth.heading", "sign.name.truthHint", "sign.comment.truthHint", "sign.updates.truthHint") {
			if strings.TrimSpace(m[key]) == "" {
				t.Errorf("%s: the promise %s is not written", lang, key)
			}
		}
	}
	for _, p := range promises {
		if promiseChecks[p] == nil {
			t.Errorf("the form promises %s, but no test checks it: add it to promiseChecks", p)
		}
	}
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		private := signBody("Secret Person", "secret@example.org")
		private["comment"], private["updates"] = "my comment", true
		e.signAndConfirm(t, private)
		public := signBody("Open Signer", "open@example.org")
		public["visibility"] = "public"
		e.signAndConfirm(t, public)
		countOnly := signBody("", "nobody@example.org")
		delete(countOnly, "name")
		countOnly["country"] = "LT"
		e.signAndConfirm(t, countOnly)
		listedWithoutName := signBody("", "listed@example.org")
		listedWithoutName["visibility"] = "initials"
		e.send("POST", demo+"/signatures", "", listedWithoutName).wantError(t, 422, "validation_failed")
		w := &truthWorld{}
		// truth.close closes the campaign: it runs last.
		for _, p := range promises {
			if p != "truth.close" && promiseChecks[p] != nil {
				t.Run(p, func(t *testing.T) { promiseChecks[p](t, e, w) })
			}
		}
		t.Run("truth.close", func(t *testing.T) { promiseChecks["truth.close"](t, e, w) })
	})
}

// formPromises reads the promise keys the form and the privacy page show.
func formPromises(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("../../../frontend/src/lib/signForm.js")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`export const promises = \[([^\]]*)\]`).FindSubmatch(src)
	if m == nil {
		t.Fatal("signForm.js exports no promises list")
	}
	var keys []string
	for _, k := range regexp.MustCompile(`'([^']+)'`).FindAllSubmatch(m[1], -1) {
		keys = append(keys, string(k[1]))
	}
	return keys
}
