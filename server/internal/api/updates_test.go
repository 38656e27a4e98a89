package api_test

import (
	"fmt"
	"mime"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
)

const updatesPath = "/api/v1/admin/campaigns/" + seededSlug + "/updates"

// optInSigners stores n confirmed signatures that asked for updates, in
// three languages, with sealed addresses as signing makes them, and a few
// that must never receive anything: no updates, shadow-flagged.
func optInSigners(t *testing.T, e *mailEnv, n int) map[string]string {
	t.Helper()
	ctx := t.Context()
	camp, err := e.db.CampaignBySlug(ctx, seededSlug)
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := privacy.NewCoalition(e.cfg.SealRecipients)
	if err != nil {
		t.Fatal(err)
	}
	langs := []string{"en", "be", "ru"}
	want := map[string]string{}
	var values []string
	var args []any
	add := func(i int, email, lang string, updates, flagged bool) {
		var sealed *string
		if updates {
			s, err := sealer.Seal(email)
			if err != nil {
				t.Fatal(err)
			}
			sealed = &s
		}
		ts := time.Now().UTC().Truncate(time.Millisecond)
		values = append(values, "(?, ?, ?, ?, 'BY', 'private', ?, 'confirmed', ?, ?, ?, ?, ?, ?, ?)")
		args = append(args, fmt.Sprintf("00000000-0000-7000-8000-%012d", i), camp.ID, fmt.Sprintf("h%d", i), sealed,
			updates, flagged, ts.Add(time.Hour), ts, ts, lang, false, true)
	}
	for i := 0; i < n; i++ {
		email := fmt.Sprintf("signer%04d@example.org", i)
		lang := langs[i%3]
		want[email] = lang
		add(i, email, lang, true, false)
	}
	add(n, "no.news@example.org", "en", false, false)
	add(n+1, "a.bot@example.org", "en", true, true)
	for len(values) > 0 {
		k := min(len(values), 200)
		q := `INSERT INTO signatures (id, campaign_id, email_hash, email_sealed, country, visibility, updates, status, flagged,
			token_expires_at, created_at, confirmed_at, language, has_comment, count_only) VALUES ` + strings.Join(values[:k], ", ")
		if err := e.db.Exec(ctx, q, args[:k*12]...); err != nil {
			t.Fatal(err)
		}
		values, args = values[k:], args[k*12:]
	}
	return want
}

func TestUpdateReachesEveryOptedInSignerOnceInTheirLanguage(t *testing.T) {
	eachWithMail(t, func(t *testing.T, e *mailEnv) {
		const n = 1000
		want := optInSigners(t, e, n)
		editor := e.token(store.RoleEditor)

		list := e.get(updatesPath, editor).wantStatus(t, 200).JSON(t)
		if got := list["recipients"].(map[string]any)["total"]; got != float64(n) {
			t.Fatalf("the console says %v will receive it, want %d", got, n)
		}
		body := map[string]any{
			"subject": "News of the statement", "body": "The statement was **delivered**.",
			"translations": map[string]any{
				"be": map[string]string{"subject": "Навіны заявы", "body": "Заяву **перададзена**."},
				"ru": map[string]string{"subject": "Новости заявления", "body": "Заявление **передано**."},
			},
		}
		e.send("POST", updatesPath, e.token(store.RoleModerator), body).wantError(t, 403, "forbidden")
		e.send("POST", updatesPath, editor, map[string]any{"subject": "", "body": "x"}).wantError(t, 422, "validation_failed")
		e.send("POST", updatesPath, editor, map[string]any{"subject": "a\nb", "body": "x"}).wantError(t, 422, "validation_failed")
		e.send("POST", updatesPath, editor, map[string]any{"subject": "s", "body": "x", "translations": map[string]any{"BE!": map[string]string{"subject": "s", "body": "b"}}}).wantError(t, 422, "validation_failed")
		u := e.send("POST", updatesPath, editor, body).wantStatus(t, 201).JSON(t)
		id := u["id"].(string)
		base := updatesPath + "/" + id

		preview := e.get(base+"/preview?language=be&format=text", editor).wantStatus(t, 200)
		if !strings.Contains(string(preview.Body), "перададзена") {
			t.Fatalf("Belarusian preview:\n%s", preview.Body)
		}
		e.send("POST", base+"/test", editor, map[string]string{"email": "staff@example.org", "language": "ru"}).wantStatus(t, 202)
		test := e.smtp.Wait(1, 10*time.Second)[0]
		if subj := decodeSubject(t, test.Header.Get("Subject")); subj != "[TEST] Новости заявления" {
			t.Fatalf("test subject = %q", subj)
		}

		// Refused without the identity, or with one that opens nothing: nothing queued.
		e.send("POST", base+"/send", editor, map[string]string{}).wantError(t, 422, "validation_failed")
		stranger, _ := privacy.NewIdentity()
		e.send("POST", base+"/send", editor, map[string]string{"identity": stranger.Secret}).wantError(t, 422, "validation_failed")
		if q, _ := e.db.CountWhere(t.Context(), "mail_messages", "kind = 'signer_update' AND ref <> ?", "test:"+id); q != 0 {
			t.Fatalf("%d update mails queued without the identity", q)
		}

		sent := e.send("POST", base+"/send", editor, map[string]string{"identity": e.identity(t)}).wantStatus(t, 200).JSON(t)
		if sent["queued"] != float64(n) {
			t.Fatalf("queued %v, want %d", sent["queued"], n)
		}
		e.send("POST", base+"/send", editor, map[string]string{"identity": e.identity(t)}).wantReason(t, 409, "conflict", "update_sent")
		msgs := e.smtp.Wait(n+1, 60*time.Second)
		got := map[string]int{}
		var oneClick string
		for _, m := range msgs[1:] {
			to := m.To[0]
			got[to]++
			subj := decodeSubject(t, m.Header.Get("Subject"))
			wantSubj := map[string]string{"en": "News of the statement", "be": "Навіны заявы", "ru": "Новости заявления"}[want[to]]
			if subj != wantSubj {
				t.Fatalf("%s (%s) got subject %q", to, want[to], subj)
			}
			if m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
				t.Fatalf("no RFC 8058 header: %v", m.Header)
			}
			if to == "signer0001@example.org" {
				oneClick = strings.Trim(m.Header.Get("List-Unsubscribe"), "<>")
			}
		}
		for email := range want {
			if got[email] != 1 {
				t.Fatalf("%s got %d updates, want exactly 1", email, got[email])
			}
		}
		if len(got) != n {
			t.Fatalf("%d recipients, want %d: someone who did not ask got one", len(got), n)
		}
		audit := string(mustJSON(t, e.get("/api/v1/admin/audit", e.token(store.RoleAdmin)).JSON(t)))
		if !strings.Contains(audit, `"update.send"`) || !strings.Contains(audit, fmt.Sprintf(`"rows":%d`, n)) || strings.Contains(audit, "AGE-SECRET") {
			t.Fatalf("the send is not audited with its rows: %s", audit)
		}

		// One-click unsubscribe (RFC 8058) deletes the sealed address.
		u1, err := url.Parse(oneClick)
		if err != nil || oneClick == "" {
			t.Fatalf("one-click link %q", oneClick)
		}
		e.do(req{method: "POST", path: u1.RequestURI(), raw: "List-Unsubscribe=One-Click", contentType: "application/x-www-form-urlencoded"}).wantStatus(t, 200)
		if k, _ := e.db.CountWhere(t.Context(), "signatures", "id = ? AND (email_sealed IS NOT NULL OR updates)", "00000000-0000-7000-8000-000000000001"); k != 0 {
			t.Fatal("the sealed address is still kept after unsubscribing")
		}
		e.send("POST", "/api/v1/contacts/unsubscribe", "", map[string]string{"token": "u1.forged.token"}).wantError(t, 404, "not_found")
		after := e.get(updatesPath, editor).wantStatus(t, 200).JSON(t)
		if got := after["recipients"].(map[string]any)["total"]; got != float64(n-1) {
			t.Fatalf("after unsubscribing %v would receive the next update, want %d", got, n-1)
		}

		// Past the campaign's retention, nobody is sent to again and every
		// sealed address is deleted.
		if err := e.db.Exec(t.Context(), "UPDATE campaigns SET status = 'closed', closed_at = ?, retention_days = 1 WHERE slug = ?",
			time.Now().UTC().Add(-48*time.Hour), seededSlug); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.AnonymiseExpired(t.Context()); err != nil {
			t.Fatal(err)
		}
		if k, _ := e.db.CountWhere(t.Context(), "signatures", "email_sealed IS NOT NULL OR updates"); k != 0 {
			t.Fatalf("%d sealed addresses outlive the retention period", k)
		}
		if got := e.get(updatesPath, editor).wantStatus(t, 200).JSON(t)["recipients"].(map[string]any)["total"]; got != float64(0) {
			t.Fatalf("after retention %v would receive an update", got)
		}
	})
}

func decodeSubject(t *testing.T, s string) string {
	t.Helper()
	d, err := new(mime.WordDecoder).DecodeHeader(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
