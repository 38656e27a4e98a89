package api_test

import (
	"strings"
	"testing"

	"github.com/bnp/undersigned/server/internal/translog"
)

// Digests carry the checkpoint behind their numbers, each proven to extend
// the previous digest's before sending; a digest over a rewritten log is
// refused and nothing is sent.
func TestDigestsCarryCheckpointsProvenConsistentBeforeSending(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		official := e.officials(t, "eu", 1)[0]
		editor := e.token("editor")
		e.signAndConfirm(t, signBody("One", "one@example.org"))
		e.signAndConfirm(t, signBody("Two", "two@example.org"))
		e.appendBatch(t)
		e.signAndConfirm(t, signBody("Three", "three@example.org")) // waits for the next batch

		first := e.draftDigest(t, "eu")
		e.send("POST", "/api/v1/admin/digests/"+first+"/send", editor, nil).wantStatus(t, 202)
		e.waitDigest(t, first)
		m := e.waitMail(t, official, 1)[0]
		for name, part := range map[string]string{"text": m.Text, "html": m.HTML} {
			for _, want := range []string{"public log: 2 entries", "Signatures counted at this checkpoint: 2.",
				"entering the log with the next batch: 1.", "This is the first checkpoint", "What this means:",
				"undersigned verify --log " + e.cfg.PublicURL.String() + "/log/" + demoSlug} {
				if !strings.Contains(part, want) {
					t.Errorf("the %s part lacks %q:\n%s", name, want, part)
				}
			}
		}
		// The checkpoint in the email is the log's signed note.
		text := strings.ReplaceAll(m.Text, "\r\n", "\n")
		start := strings.Index(text, "localhost:8080/log/"+demoSlug+"\n2\n")
		if start < 0 {
			t.Fatalf("no checkpoint in the text part:\n%s", m.Text)
		}
		if _, cp, err := translog.OpenCheckpoint([]byte(strings.TrimRight(text[start:strings.Index(text, "\n--\n")], "\n")+"\n"), testLogKeys(t, e.cfg).Verifier); err != nil || cp.N != 2 {
			t.Fatalf("the emailed checkpoint does not verify: %v", err)
		}

		e.appendBatch(t)
		second := e.draftDigest(t, "eu")
		e.send("POST", "/api/v1/admin/digests/"+second+"/send", editor, nil).wantStatus(t, 202)
		e.waitDigest(t, second)
		m = e.waitMail(t, official, 2)[1]
		if !strings.Contains(m.Text, "extends, without changing any entry, the checkpoint of 2 entries") {
			t.Errorf("the second digest does not state its consistency:\n%s", m.Text)
		}

		e.rewriteHistory(t)
		e.signAndConfirm(t, signBody("Four", "four@example.org"))
		e.appendBatch(t)
		third := e.draftDigest(t, "eu")
		e.send("POST", "/api/v1/admin/digests/"+third+"/send", editor, nil).wantError(t, 409, "conflict")
		if n := e.count("mail_messages WHERE ref = '" + third + "'"); n != 0 || e.count("digests WHERE id = '"+third+"' AND status = 'draft'") != 1 {
			t.Fatalf("%d messages queued for a digest over a forked log, or it left its draft", n)
		}
	})
}
