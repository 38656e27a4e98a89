package api_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/privacy"
)

// listUnsubscribe splits a List-Unsubscribe header into its one-click URL
// and its mailto: URL.
func listUnsubscribe(t *testing.T, header string) (oneClick *url.URL, mailto string) {
	t.Helper()
	for _, part := range strings.Split(header, ",") {
		part = strings.Trim(strings.TrimSpace(part), "<>")
		switch {
		case strings.HasPrefix(part, "http"):
			u, err := url.Parse(part)
			if err != nil {
				t.Fatal(err)
			}
			oneClick = u
		case strings.HasPrefix(part, "mailto:"):
			mailto = part
		}
	}
	if oneClick == nil || mailto == "" {
		t.Fatalf("List-Unsubscribe = %q", header)
	}
	return oneClick, mailto
}

func multipartBody(t *testing.T, fields map[string]string) (string, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String(), w.FormDataContentType()
}

// TestOneClickUnsubscribeMultipart: RFC 8058 lets a mail client post the
// one-click body as multipart/form-data; the mailto: alternative encodes
// its subject's space as %20, as RFC 6068 wants.
func TestOneClickUnsubscribeMultipart(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		eu := e.officials(t, "eu", 2)
		id := e.draftDigest(t, "eu")
		e.send("POST", "/api/v1/admin/digests/"+id+"/send", e.token("editor"), nil).wantStatus(t, 202)
		e.waitDigest(t, id)
		oneClick, mailto := listUnsubscribe(t, e.smtp.To(eu[0])[0].Header.Get("List-Unsubscribe"))

		m, err := url.Parse(mailto)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(mailto, "?subject=unsubscribe%20") || strings.Contains(mailto, "+") || m.Opaque != e.cfg.MailFrom.Address {
			t.Fatalf("mailto = %q", mailto)
		}
		if subject := m.Query().Get("subject"); subject != "unsubscribe "+oneClick.Query().Get("token") {
			t.Fatalf("mailto subject = %q", subject)
		}

		body, ct := multipartBody(t, map[string]string{"List-Unsubscribe": "Maybe"})
		e.do(req{method: "POST", path: oneClick.RequestURI(), raw: body, contentType: ct}).wantError(t, 422, "validation_failed")
		body, ct = multipartBody(t, map[string]string{"List-Unsubscribe": "One-Click"})
		r := e.do(req{method: "POST", path: oneClick.RequestURI(), raw: body, contentType: ct}).wantStatus(t, 200)
		if r.JSON(t)["status"] != "unsubscribed" {
			t.Fatalf("answer %s", r.Body)
		}
		editor := e.token("editor")
		got := e.get("/api/v1/admin/contacts?q="+url.QueryEscape(eu[0]), editor).JSON(t)["items"].([]any)[0].(map[string]any)
		if got["subscribed"] != false {
			t.Fatalf("after a multipart one-click: %v", got)
		}
		other := e.get("/api/v1/admin/contacts?q="+url.QueryEscape(eu[1]), editor).JSON(t)["items"].([]any)[0].(map[string]any)
		if other["subscribed"] != true {
			t.Fatalf("the other official was unsubscribed too: %v", other)
		}
	})
}

// TestUnsubscribeDuringSendKeepsCountsTrue: an official who unsubscribes
// while a digest is being sent gets nothing more and is no longer one of
// its recipients, so recipients = sent + failed + pending throughout; one
// whose message a worker already holds still gets it, and is counted.
func TestUnsubscribeDuringSendKeepsCountsTrue(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		editor := e.token("editor")
		emails := e.officials(t, "eu", 4)
		ids := map[string]string{}
		for _, email := range emails {
			ids[email] = e.get("/api/v1/admin/contacts?q="+url.QueryEscape(email), editor).JSON(t)["items"].([]any)[0].(map[string]any)["id"].(string)
		}
		keys := privacy.NewKeys(e.cfg.DataKey)
		id := e.draftDigest(t, "eu")
		if n := e.send("POST", "/api/v1/admin/digests/"+id+"/send", editor, nil).wantStatus(t, 202).JSON(t)["recipients"]; n != float64(4) {
			t.Fatalf("recipients = %v", n)
		}
		counts := func(want [4]float64) {
			t.Helper()
			c := e.get("/api/v1/admin/digests/"+id, editor).wantStatus(t, 200).JSON(t)["counts"].(map[string]any)
			got := [4]float64{c["recipients"].(float64), c["sent"].(float64), c["failed"].(float64), c["pending"].(float64)}
			if got != want || got[0] != got[1]+got[2]+got[3] {
				t.Fatalf("counts (recipients, sent, failed, pending) = %v, want %v", got, want)
			}
		}
		// A worker holds one message.
		held, err := e.db.ClaimMail(ctx, "worker", 1, time.Minute)
		if err != nil || len(held) != 1 || held[0].DedupeKey == nil {
			t.Fatalf("claimed %v, %v", held, err)
		}
		heldContact := (*held[0].DedupeKey)[strings.LastIndex(*held[0].DedupeKey, ":")+1:]
		var others []string
		for _, cid := range ids {
			if cid != heldContact {
				others = append(others, cid)
			}
		}

		// One-click by an official whose message is still queued.
		e.send("POST", "/api/v1/contacts/unsubscribe", "", map[string]string{"token": keys.UnsubscribeToken(others[0])}).wantStatus(t, 200)
		counts([4]float64{3, 0, 0, 3})
		e.send("POST", "/api/v1/contacts/unsubscribe", "", map[string]string{"token": keys.UnsubscribeToken(others[0])}).wantStatus(t, 200)
		counts([4]float64{3, 0, 0, 3})
		// Staff unsubscribe another.
		e.send("PATCH", "/api/v1/admin/contacts/"+others[1], editor, map[string]any{"subscribed": false}).wantStatus(t, 200)
		counts([4]float64{2, 0, 0, 2})
		// The official whose message is in a worker's hand gets it.
		e.send("POST", "/api/v1/contacts/unsubscribe", "", map[string]string{"token": keys.UnsubscribeToken(heldContact)}).wantStatus(t, 200)
		counts([4]float64{2, 0, 0, 2})
		if err := e.db.MarkMailSent(ctx, held[0].ID); err != nil {
			t.Fatal(err)
		}
		counts([4]float64{2, 1, 0, 1})
		if n := e.count("mail_messages"); n != 2 {
			t.Fatalf("%d deliveries left, want 2", n)
		}
		// A contact deleted while its digest waits gets nothing more either.
		e.send("DELETE", "/api/v1/admin/contacts/"+others[2], editor, nil).wantStatus(t, 204)
		counts([4]float64{1, 1, 0, 0})
		if n := e.count("mail_messages"); n != 1 {
			t.Fatalf("%d deliveries left, want 1", n)
		}
	})
}
