package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bnp/undersigned/server/internal/auth"
)

const slug = "release-all-political-prisoners"

func (e *benchEnv) countWhere(ctx context.Context, cond string) int64 {
	n, err := e.store.CountWhere(ctx, "signatures", cond)
	if err != nil {
		e.failed = true
		return -1
	}
	return n
}

// accepted counts the signing requests the database holds: signatures, and
// requests still in the intake (durable too, handled by the worker later).
func (e *benchEnv) accepted(ctx context.Context) int64 {
	n, err := e.store.CountRows(ctx, "intake")
	if err != nil {
		e.failed = true
		return -1
	}
	return n + e.countWhere(ctx, "1=1")
}

func benchSign(ctx context.Context, e *benchEnv) ([]result, error) {
	before := e.accepted(ctx)
	waits := e.startWaits(ctx)
	r, err := e.wrk("sign.lua", "/api/v1/campaigns/"+slug+"/signatures")
	if err != nil {
		return nil, err
	}
	rs := waits.results("  wait events during sign")
	after := e.accepted(ctx)
	e.sign = measured{r.perSecond, r.p99}
	accepted := r.requests - r.non2xx
	note := fmt.Sprintf("%d accepted, %d rows stored", accepted, after-before)
	if after-before < accepted || r.non2xx > 0 {
		note += ": FAIL, accepted signatures missing or refused"
		e.failed = true
	} else {
		note += ": every accepted signature durable"
	}
	if r.errors != "" {
		note += "; socket errors " + r.errors
	}
	return append([]result{{"sign (POST .../signatures, PostgreSQL)", fmt.Sprintf("%.0f/s", r.perSecond), r.p99, note}}, rs...), nil
}

func benchConfirm(ctx context.Context, e *benchEnv) ([]result, error) {
	camp, err := e.store.CampaignBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	n := int(8000 * e.o.duration.Seconds())
	tokens, err := e.pendingSignatures(ctx, camp.ID, n)
	if err != nil {
		return nil, err
	}
	settled := e.settle(ctx)
	confirmedBefore := e.countWhere(ctx, "status = 'confirmed' AND flagged = FALSE")
	waits := e.startWaits(ctx)
	r, err := e.wrk("confirm.lua", "/api/v1/signatures/confirm", "TOKENS="+tokens, fmt.Sprintf("THREADS=%d", e.o.threads))
	if err != nil {
		return nil, err
	}
	rs := waits.results("  wait events during confirm")
	// When wrk stops, the requests it leaves in flight still commit on the
	// server: count only once the rows stop changing, and then past the
	// public count's one-second cache. (Counted straight after wrk, the
	// rows missed the last confirmations that the public count, read a
	// second later, had: the check's off-by-one.)
	confirmed := e.countWhere(ctx, "status = 'confirmed' AND flagged = FALSE")
	for {
		time.Sleep(200 * time.Millisecond)
		again := e.countWhere(ctx, "status = 'confirmed' AND flagged = FALSE")
		if again == confirmed {
			break
		}
		confirmed = again
	}
	time.Sleep(1100 * time.Millisecond) // the public count may be a second stale
	shown, err := e.publicCount()
	if err != nil {
		return nil, err
	}
	counted, err := e.store.CountedSignatures(ctx, camp.ID)
	if err != nil {
		return nil, err
	}
	e.confirm = measured{r.perSecond, r.p99}
	note := fmt.Sprintf("%d confirmed rows (+%d, %d answered 200), public count %d", counted, confirmed-confirmedBefore, r.requests-r.non2xx, shown)
	if settled != "" {
		note = settled + "; " + note
	}
	if shown != counted || confirmed-confirmedBefore < r.requests-r.non2xx || r.non2xx > 0 || r.requests > int64(n) {
		note += ": FAIL, count not exact, refusals, or tokens ran out"
		e.failed = true
	} else {
		note += ": exact"
	}
	return append([]result{{"confirm (POST /signatures/confirm)", fmt.Sprintf("%.0f/s", r.perSecond), r.p99, note}}, rs...), nil
}

// settle waits, up to a minute, until the intake is empty and no mail is
// due: after sign, the worker still turns its backlog into signatures
// and confirmation emails, and a measure run beside that measures both.
// It says how long it waited.
func (e *benchEnv) settle(ctx context.Context) string {
	start := time.Now()
	for time.Since(start) < time.Minute {
		intake, err := e.store.CountRows(ctx, "intake")
		if err != nil {
			return ""
		}
		// A message put back for a later attempt is not work waiting now.
		mail, err := e.store.CountWhere(ctx, "mail_messages", "status = 'queued' AND next_attempt_at <= ?", time.Now().UTC())
		if err != nil {
			return ""
		}
		if intake == 0 && mail == 0 {
			if d := time.Since(start); d > time.Second {
				return fmt.Sprintf("after sign's backlog drained (%.0f s)", d.Seconds())
			}
			return ""
		}
		time.Sleep(200 * time.Millisecond)
	}
	return "sign's backlog still draining after 60 s"
}

// pendingSignatures stores n pending signatures with known tokens and
// writes the tokens to a file for wrk.
func (e *benchEnv) pendingSignatures(ctx context.Context, campaignID string, n int) (string, error) {
	file := filepath.Join(e.dir, "tokens.txt")
	f, err := os.Create(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	const batch = 1000
	expires := time.Now().UTC().Add(24 * time.Hour)
	for done := 0; done < n; done += batch {
		var (
			values []string
			args   []any
		)
		for i := 0; i < batch && done+i < n; i++ {
			token, hash := auth.NewToken()
			fmt.Fprintln(w, token)
			values = append(values, "(?, ?, ?, 'BY', 'private', 'pending', ?, ?, ?)")
			args = append(args, fmt.Sprintf("bench-%d", done+i), campaignID, "h"+hash, expires, hash, time.Now().UTC())
		}
		err := e.store.Exec(ctx, "INSERT INTO signatures (id, campaign_id, email_hash, country, visibility, status, token_expires_at, confirm_token_hash, created_at) VALUES "+
			strings.Join(values, ","), args...)
		if err != nil {
			return "", err
		}
	}
	return file, w.Flush()
}

func (e *benchEnv) publicCount() (int64, error) {
	res, err := get(e.baseURL + "/api/v1/campaigns/" + slug)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	var c struct {
		SignatureCount int64 `json:"signature_count"`
	}
	err = json.NewDecoder(res.Body).Decode(&c)
	return c.SignatureCount, err
}

func benchRead(_ context.Context, e *benchEnv) ([]result, error) {
	r, err := e.wrk("", "/api/v1/campaigns/"+slug)
	if err != nil {
		return nil, err
	}
	note := "server RSS " + e.rss()
	if r.non2xx > 0 {
		note += fmt.Sprintf(": FAIL, %d non-2xx", r.non2xx)
		e.failed = true
	}
	return []result{{"campaign read (GET /campaigns/{slug})", fmt.Sprintf("%.0f/s", r.perSecond), r.p99, note}}, nil
}
