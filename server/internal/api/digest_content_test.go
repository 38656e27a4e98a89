package api_test

import (
	"fmt"
	"strings"
	"testing"
)

// Officials see every organisation approved since the last digest, the
// confidential ones too but marked so; and countries with few signatures
// are folded into one line, as on the public page.
func TestDigestMarksConfidentialOrganisationsAndFoldsSmallCountries(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		official := e.officials(t, "eu", 1)[0]
		for i := range 5 {
			e.signAndConfirm(t, signBody(fmt.Sprintf("Belarus Signer %d", i), fmt.Sprintf("by%d@example.org", i)))
		}
		lone := signBody("Lone Signer", "lone@example.org")
		lone["country"] = "IS"
		e.signAndConfirm(t, lone)

		public := endorseBody("Open Society Union", "open@example.org")
		secret := endorseBody("Quiet Exile Network", "quiet@example.org")
		secret["confidential"] = true
		moderator := e.token("moderator")
		for _, body := range []map[string]any{public, secret} {
			id := e.endorseAndVerify(t, body)
			e.send("POST", "/api/v1/admin/endorsements/"+id+"/approve", moderator, nil).wantStatus(t, 200)
		}

		id := e.draftDigest(t, "eu")
		e.send("POST", "/api/v1/admin/digests/"+id+"/send", e.token("editor"), nil).wantStatus(t, 202)
		e.waitDigest(t, id)
		m := e.waitMail(t, official, 1)[0]
		for name, part := range map[string]string{"text": m.Text, "html": m.HTML} {
			if !strings.Contains(part, "Open Society Union") || !strings.Contains(part, "Quiet Exile Network") {
				t.Errorf("the %s part lacks an approved organisation:\n%s", name, part)
			}
			if strings.Count(part, "confidential: do not publish") != 1 {
				t.Errorf("the %s part marks %d organisations confidential, want 1:\n%s", name, strings.Count(part, "confidential: do not publish"), part)
			}
			if strings.Contains(part, "Iceland") {
				t.Errorf("the %s part names a country with one signature:\n%s", name, part)
			}
			if !strings.Contains(part, "Belarus") || !strings.Contains(part, "Other countries") {
				t.Errorf("the %s part lacks Belarus or the folded line:\n%s", name, part)
			}
		}
		// The public still sees only the open one.
		if listed := e.publicEndorsements(t); len(listed) != 1 || listed[0]["name"] != "Open Society Union" {
			t.Errorf("public list = %v", listed)
		}
	})
}
