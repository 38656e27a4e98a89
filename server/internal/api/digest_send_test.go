package api_test

import (
	"sync"
	"testing"
)

// TestConcurrentSendsStartADigestOnce: several sends of one draft at once
// (clicks, editors, instances) all answer 202 with the same recipients;
// one snapshot, one audit record, one delivery per official. A sent or
// cancelled digest is a conflict.
func TestConcurrentSendsStartADigestOnce(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		e.officials(t, "eu", 5)
		editor := e.token("editor")
		id := e.draftDigest(t, "eu")
		const senders = 8
		answers := make([]response, senders)
		var wg sync.WaitGroup
		for i := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				answers[i] = e.send("POST", "/api/v1/admin/digests/"+id+"/send", editor, nil)
			}()
		}
		wg.Wait()
		for _, a := range answers {
			if body := a.wantStatus(t, 202).JSON(t); body["recipients"] != float64(5) || body["status"] != "sending" {
				t.Fatalf("answer %s", a.Body)
			}
		}
		d := e.get("/api/v1/admin/digests/"+id, editor).wantStatus(t, 200).JSON(t)
		if d["status"] != "sending" || d["counts"].(map[string]any)["recipients"] != float64(5) || d["counts"].(map[string]any)["pending"] != float64(5) {
			t.Fatalf("digest = %v", d)
		}
		if n := e.count("mail_messages"); n != 5 {
			t.Fatalf("%d deliveries queued, want one per official (5)", n)
		}
		sends := 0
		for _, it := range e.get("/api/v1/admin/audit", e.token("admin")).wantStatus(t, 200).JSON(t)["items"].([]any) {
			if a := it.(map[string]any); a["action"] == "digest.send" && a["target"] == id {
				sends++
				if a["rows"] != float64(5) {
					t.Fatalf("audit %v", a)
				}
			}
		}
		if sends != 1 {
			t.Fatalf("%d digest.send audit records, want 1", sends)
		}
		// Once more while it is being sent: the same answer, nothing new.
		again := e.send("POST", "/api/v1/admin/digests/"+id+"/send", editor, nil).wantStatus(t, 202).JSON(t)
		if again["recipients"] != float64(5) || e.count("mail_messages") != 5 {
			t.Fatalf("send while sending = %v", again)
		}
		e.send("POST", "/api/v1/admin/digests/"+id+"/cancel", editor, nil).wantStatus(t, 200)
		e.send("POST", "/api/v1/admin/digests/"+id+"/send", editor, nil).wantError(t, 409, "conflict")
	})
}
