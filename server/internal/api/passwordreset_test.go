package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/store"
)

func TestPasswordResetByEmail(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		_, oldCookie := e.login(store.RoleEditor)
		oldToken := e.token(store.RoleEditor)
		email := e.users[store.RoleEditor].Email

		r := e.send("POST", "/api/v1/auth/password-reset", "", map[string]string{"email": strings.ToUpper(email)})
		r.wantStatus(t, 202)
		msg := e.smtp.Wait(1, 10*time.Second)[0]
		if msg.To[0] != email || msg.Header.Get("Subject") != "Reset your password" {
			t.Fatalf("reset email to %v, subject %q", msg.To, msg.Header.Get("Subject"))
		}
		token := linkIn(t, msg.Text, e.cfg.PublicURL.String()+"/reset/")
		if !strings.Contains(msg.HTML, "/reset/"+token) {
			t.Fatal("the HTML part lacks the link")
		}

		newPassword := "a brand new passphrase"
		e.send("POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": token, "password": "short"}).
			wantError(t, 422, "validation_failed")
		e.send("POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": token, "password": newPassword}).
			wantStatus(t, 200)

		// Single use, and every earlier session is over.
		fields := e.send("POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": token, "password": newPassword}).
			wantError(t, 422, "validation_failed")
		if fields["token"] == nil {
			t.Fatalf("reused token: fields %v", fields)
		}
		e.get("/api/v1/auth/me", oldToken).wantError(t, 401, "unauthorized")
		e.do(req{method: "POST", path: "/api/v1/auth/refresh", cookies: []*http.Cookie{oldCookie}}).wantError(t, 401, "unauthorized")
		e.send("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": testPassword}).wantError(t, 401, "unauthorized")
		e.send("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": newPassword}).wantStatus(t, 200)

		audit := e.get("/api/v1/admin/audit", e.token(store.RoleAdmin)).wantStatus(t, 200).JSON(t)
		if !strings.Contains(string(mustJSON(t, audit)), "user.password_reset") {
			t.Fatal("the reset is not in the audit log")
		}
	})
}

func TestPasswordResetAnswersAlikeForUnknownAddress(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		known := e.send("POST", "/api/v1/auth/password-reset", "", map[string]string{"email": e.users[store.RoleViewer].Email}).wantStatus(t, 202)
		unknown := e.send("POST", "/api/v1/auth/password-reset", "", map[string]string{"email": "nobody@example.org"}).wantStatus(t, 202)
		if string(known.Body) != string(unknown.Body) {
			t.Fatalf("answers differ: %s vs %s", known.Body, unknown.Body)
		}
		waitSent(t, e)
		if n := len(e.smtp.Messages()); n != 1 {
			t.Fatalf("%d emails sent, want 1 (none to the unknown address)", n)
		}
		if n := e.count("password_resets"); n != 1 {
			t.Fatalf("%d reset tokens stored, want 1", n)
		}
	})
}

func TestPasswordResetBadInputs(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		cases := []struct {
			name, path string
			body       any
			status     int
			code       string
			field      string
		}{
			{"email not an address", "/api/v1/auth/password-reset", map[string]string{"email": "not-an-address"}, 422, "validation_failed", "email"},
			{"unknown field", "/api/v1/auth/password-reset", map[string]any{"email": "a@b.org", "admin": true}, 422, "validation_failed", "admin"},
			{"no token", "/api/v1/auth/password-reset/confirm", map[string]string{"password": "long enough password"}, 422, "validation_failed", "token"},
			{"unknown token", "/api/v1/auth/password-reset/confirm", map[string]string{"token": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "password": "long enough password"}, 422, "validation_failed", "token"},
			{"no body", "/api/v1/auth/password-reset", nil, 400, "bad_request", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				fields := e.send("POST", c.path, "", c.body).wantError(t, c.status, c.code)
				if c.field != "" && fields[c.field] == nil {
					t.Fatalf("fields = %v, want %s", fields, c.field)
				}
			})
		}
		if n := e.count("intake") + e.count("password_resets") + e.count("mail_messages"); n != 0 {
			t.Fatalf("bad inputs wrote %d rows", n)
		}
	})
}

func TestPasswordResetExpires(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		e.send("POST", "/api/v1/auth/password-reset", "", map[string]string{"email": e.users[store.RoleViewer].Email}).wantStatus(t, 202)
		token := linkIn(t, e.smtp.Wait(1, 10*time.Second)[0].Text, "/reset/")
		if err := e.db.Exec(t.Context(), "UPDATE password_resets SET expires_at = ?", time.Now().UTC().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		e.send("POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": token, "password": "long enough password"}).
			wantError(t, 422, "validation_failed")
	})
}

// Two requests racing with one reset link: exactly one sets the password.
func TestPasswordResetTokenIsSingleUseUnderRace(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		e.send("POST", "/api/v1/auth/password-reset", "", map[string]string{"email": e.users[store.RoleViewer].Email}).wantStatus(t, 202)
		token := linkIn(t, e.smtp.Wait(1, 10*time.Second)[0].Text, "/reset/")
		const racers = 6
		codes := make(chan int, racers)
		var wg sync.WaitGroup
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := e.send("POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": token, "password": fmt.Sprintf("racer number %d password", i)})
				codes <- r.Status
			}()
		}
		wg.Wait()
		close(codes)
		ok := 0
		for c := range codes {
			if c/100 == 2 {
				ok++
			}
		}
		if ok != 1 {
			t.Fatalf("%d of %d racing confirms succeeded, want 1", ok, racers)
		}
	})
}

// Past the per-account limit the answer stays 202 (a 429 would tell that
// the address has an account) and no more links are sent.
func TestPasswordResetLimitPerAccountAnswersAlike(t *testing.T) {
	t.Parallel()
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		email := e.users[store.RoleViewer].Email
		for i := range 5 {
			e.send("POST", "/api/v1/auth/password-reset", "", map[string]string{"email": email}).wantStatus(t, 202)
			e.send("POST", "/api/v1/auth/password-reset", "", map[string]string{"email": fmt.Sprintf("nobody%d@example.org", i)}).wantStatus(t, 202)
		}
		waitSent(t, e)
		if n := len(e.smtp.To(email)); n != 3 {
			t.Fatalf("%d reset emails in an hour, want 3", n)
		}
		// Ten requests an hour from one client, whatever the addresses.
		e.send("POST", "/api/v1/auth/password-reset", "", map[string]string{"email": "one.more@example.org"}).wantError(t, 429, "rate_limited")
	})
}
