package api_test

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/smtptest"
	"github.com/bnp/undersigned/server/internal/store"
)

// TestMetricsShowTheMailQueue: /metrics serves the mail queue's metrics
// and the Go runtime's beside the HTTP ones, so that a queue that stops
// sending, or sends into refusals, shows on the dashboard.
func TestMetricsShowTheMailQueue(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		sent := mailCounter(t, e.scrape().wantStatus(t, 200).Body, "sent")
		failed := mailCounter(t, e.scrape().wantStatus(t, 200).Body, "failed")
		refused := e.users[store.RoleViewer].Email
		e.smtp.SetReply(func(rcpt string, _ int) error {
			if rcpt == refused {
				return smtptest.Permanent
			}
			return nil
		})
		for _, role := range []store.Role{store.RoleEditor, store.RoleViewer} {
			e.send("POST", "/api/v1/auth/password-reset", "", map[string]string{"email": e.users[role].Email}).wantStatus(t, 202)
		}
		e.smtp.Wait(1, 10*time.Second)

		// The queue counts a message once the server has answered: wait for
		// both answers to show.
		var body []byte
		for deadline := time.Now().Add(10 * time.Second); ; {
			body = e.scrape().wantStatus(t, 200).Body
			if mailCounter(t, body, "sent") >= sent+1 && mailCounter(t, body, "failed") >= failed+1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("/metrics never counted the sent and the refused reset:\n%s", body)
			}
			time.Sleep(20 * time.Millisecond)
		}
		for _, family := range []string{
			"undersigned_mail_sent_total counter", "undersigned_mail_failed_total counter",
			"undersigned_mail_send_seconds histogram", "http_requests_total counter",
			"go_goroutines gauge", "process_resident_memory_bytes gauge",
		} {
			if !bytes.Contains(body, []byte("# TYPE "+family+"\n")) {
				t.Errorf("/metrics lacks %s", family)
			}
		}
		if !bytes.Contains(body, []byte(`undersigned_mail_send_seconds_count{kind="`+mailers.KindPasswordReset+`"}`)) {
			t.Errorf("/metrics has no send latency for password resets")
		}
	})
}

// mailCounter reads undersigned_mail_<name>_total for password resets (0
// before the first).
func mailCounter(t *testing.T, body []byte, name string) float64 {
	t.Helper()
	re := regexp.MustCompile(`(?m)^undersigned_mail_` + name + `_total\{kind="` + mailers.KindPasswordReset + `"\} (\S+)$`)
	m := re.FindSubmatch(body)
	if m == nil {
		return 0
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatalf("undersigned_mail_%s_total: %v", name, err)
	}
	return v
}
