package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Mail statuses.
const (
	MailQueued = "queued"
	MailSent   = "sent"
	MailFailed = "failed"
)

// Mail is an email to enqueue: what to render (Kind with Params, in
// Language) and for whom. Params is JSON and may hold secrets such as a
// confirmation token: it is deleted once the message is final.
type Mail struct {
	Kind      string
	Recipient string
	Language  string
	Params    []byte
	// Ref names what caused the message (a digest id, say) for reports.
	Ref string
	// DedupeKey, when set, makes a second enqueue of the same key a no-op.
	DedupeKey string
}

// MailMessage is a queued message as a worker claims it.
type MailMessage struct {
	ID            string
	Kind          string
	Ref           string
	DedupeKey     *string
	Recipient     *string
	Language      string
	Params        *string
	MessageID     string
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LeaseUntil    *time.Time
	LeasedBy      string
	LastError     string
	CreatedAt     time.Time
	FinishedAt    *time.Time
}

// TableName names the queue table.
func (MailMessage) TableName() string { return "mail_messages" }

// enqueue adds messages inside the caller's transaction, so that they are
// sent if and only if the transaction commits. messageDomain is the right
// half of each stable Message-ID.
func enqueue(tx *gorm.DB, messageDomain string, mails ...Mail) error {
	if len(mails) == 0 {
		return nil
	}
	t := now()
	rows := make([]MailMessage, len(mails))
	for i, m := range mails {
		id := newID()
		params := string(m.Params)
		recipient := m.Recipient
		rows[i] = MailMessage{
			ID: id, Kind: m.Kind, Ref: m.Ref, Recipient: &recipient, Language: m.Language, Params: &params,
			MessageID: id + "@" + messageDomain, Status: MailQueued, NextAttemptAt: t, CreatedAt: t,
		}
		if m.DedupeKey != "" {
			key := m.DedupeKey
			rows[i].DedupeKey = &key
		}
		if rows[i].Language == "" {
			rows[i].Language = "en"
		}
	}
	err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(rows, 500).Error
	return translate("enqueue mail", err)
}

// EnqueueMail adds messages on their own (outside any other write).
func (s *Store) EnqueueMail(ctx context.Context, messageDomain string, mails ...Mail) error {
	return s.InTransaction(ctx, messageDomain, func(tx Tx) error { return tx.Enqueue(mails...) })
}

// ClaimMail leases up to limit due messages to worker for the lease
// duration. On PostgreSQL, SKIP LOCKED lets instances claim side by side
// without waiting on each other; SQLite has one writer at a time anyway.
// A message whose lease ran out (its worker died) is due again.
func (s *Store) ClaimMail(ctx context.Context, worker string, limit int, lease time.Duration) ([]MailMessage, error) {
	t := now()
	lock := ""
	if s.postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var claimed []MailMessage
	err := s.queue.WithContext(ctx).Raw(`UPDATE mail_messages
		SET lease_until = ?, leased_by = ?, attempts = attempts + 1
		WHERE id IN (
			SELECT id FROM mail_messages
			WHERE status = 'queued' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
			ORDER BY next_attempt_at LIMIT ?`+lock+`)
		RETURNING *`, t.Add(lease), worker, t, t, limit).Scan(&claimed).Error
	return claimed, translate("claim mail", err)
}

// ErrLeaseLost is returned when a worker no longer holds a message it
// claimed: its lease ran out and another worker took the message over, or
// another worker already finished it. The other worker's outcome stands.
var ErrLeaseLost = errors.New("mail lease lost")

// ExtendMailLease renews, to lease from now, the leases worker still holds
// on the given queued messages and returns how many it holds. A lease that
// has run out is not renewed: another worker may have claimed the message
// or be about to. A worker calls it with one id just before sending, and
// sends only if it returns 1.
func (s *Store) ExtendMailLease(ctx context.Context, worker string, lease time.Duration, ids ...string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	t := now()
	res := s.queue.WithContext(ctx).Model(&MailMessage{}).
		Where("id IN ? AND leased_by = ? AND status = ? AND lease_until > ?", ids, worker, MailQueued, t).
		Update("lease_until", t.Add(lease))
	return int(res.RowsAffected), translate("extend mail lease", res.Error)
}

// RenewMailLeases is ExtendMailLease for a worker's whole batch, in the
// background while the worker sends. On PostgreSQL it passes over rows
// locked at that moment: they are being finished or checked by the worker
// itself, which extends them anyway, and waiting for them could deadlock
// with MarkMailSentAndHold, which locks two of the same rows in another
// order.
func (s *Store) RenewMailLeases(ctx context.Context, worker string, lease time.Duration, ids ...string) (int, error) {
	if !s.postgres || len(ids) == 0 {
		return s.ExtendMailLease(ctx, worker, lease, ids...)
	}
	t := now()
	res := s.queue.WithContext(ctx).Exec(`UPDATE mail_messages SET lease_until = ? WHERE id IN (
		SELECT id FROM mail_messages WHERE id IN ? AND leased_by = ? AND status = ? AND lease_until > ?
		FOR UPDATE SKIP LOCKED)`, t.Add(lease), ids, worker, MailQueued, t)
	return int(res.RowsAffected), translate("renew mail leases", res.Error)
}

// MarkMailSent records that the SMTP server accepted the message and
// deletes its recipient and content. It does not ask who holds the lease:
// a message delivered is recorded as sent even by a worker that lost it,
// which stops the new holder from sending it again. It returns
// ErrLeaseLost if another worker already finished the message.
func (s *Store) MarkMailSent(ctx context.Context, id string) error {
	res := s.queue.WithContext(ctx).Model(&MailMessage{}).Where("id = ? AND status = ?", id, MailQueued).Updates(map[string]any{
		"status": MailSent, "finished_at": now(), "recipient": nil, "params": nil,
		"lease_until": nil, "last_error": "",
	})
	return held("mark mail sent", res)
}

// MarkMailSentAndHold is MarkMailSent for id and ExtendMailLease for
// next, worker's next message, in one round trip: the check a worker makes
// before each send then costs no extra trip to the database. It reports
// whether worker still holds next; an empty next is never held.
func (s *Store) MarkMailSentAndHold(ctx context.Context, id, worker string, lease time.Duration, next string) (bool, error) {
	t := now()
	if s.postgres {
		var sent, held int
		err := s.queue.WithContext(ctx).Raw(`WITH sent AS (
			UPDATE mail_messages SET status = ?, finished_at = ?, recipient = NULL, params = NULL, lease_until = NULL, last_error = ''
			WHERE id = ? AND status = ? RETURNING id),
		held AS (
			UPDATE mail_messages SET lease_until = ?
			WHERE id = ? AND leased_by = ? AND status = ? AND lease_until > ? RETURNING id)
		SELECT (SELECT count(*) FROM sent), (SELECT count(*) FROM held)`,
			MailSent, t, id, MailQueued, t.Add(lease), next, worker, MailQueued, t).Row().Scan(&sent, &held)
		if err != nil {
			return false, translate("mark mail sent", err)
		}
		if sent == 0 {
			return held == 1, fmt.Errorf("store: mark mail sent: %w", ErrLeaseLost)
		}
		return held == 1, nil
	}
	// SQLite is in process: two statements cost no round trip.
	err := s.MarkMailSent(ctx, id)
	if next == "" || (err != nil && !errors.Is(err, ErrLeaseLost)) {
		return false, err
	}
	n, herr := s.ExtendMailLease(ctx, worker, lease, next)
	if herr != nil {
		return false, herr
	}
	return n == 1, err
}

// RetryMail releases a message held by worker for another attempt at at.
// It returns ErrLeaseLost if worker no longer holds it.
func (s *Store) RetryMail(ctx context.Context, id, worker string, at time.Time, reason string) error {
	res := s.queue.WithContext(ctx).Model(&MailMessage{}).
		Where("id = ? AND leased_by = ? AND status = ?", id, worker, MailQueued).Updates(map[string]any{
		"next_attempt_at": at.UTC().Truncate(time.Millisecond), "lease_until": nil, "last_error": reason,
	})
	return held("retry mail", res)
}

// FailMail records a permanent failure of a message held by worker, with
// the server's reason, and deletes the recipient and content; the message
// is never tried again. It returns ErrLeaseLost if worker no longer holds
// it: the failure is then the new holder's to find.
func (s *Store) FailMail(ctx context.Context, id, worker, reason string) error {
	res := s.queue.WithContext(ctx).Model(&MailMessage{}).
		Where("id = ? AND leased_by = ? AND status = ?", id, worker, MailQueued).Updates(map[string]any{
		"status": MailFailed, "finished_at": now(), "recipient": nil, "params": nil,
		"lease_until": nil, "last_error": reason,
	})
	return held("fail mail", res)
}

// held maps an outcome update that matched no row to ErrLeaseLost.
func held(op string, res *gorm.DB) error {
	if res.Error == nil && res.RowsAffected == 0 {
		return fmt.Errorf("store: %s: %w", op, ErrLeaseLost)
	}
	return translate(op, res.Error)
}

// ReleaseMail gives back a claimed message that was not attempted (the
// worker is stopping), without counting the attempt.
func (s *Store) ReleaseMail(ctx context.Context, id, worker string) error {
	err := s.queue.WithContext(ctx).Model(&MailMessage{}).
		Where("id = ? AND leased_by = ? AND status = ?", id, worker, MailQueued).Updates(map[string]any{
		"lease_until": nil, "attempts": gorm.Expr("attempts - 1"),
	}).Error
	return translate("release mail", err)
}

// MailCounts counts messages by status, for metrics and reports; ref
// narrows it to one cause (empty: all).
func (s *Store) MailCounts(ctx context.Context, ref string) (map[string]int64, error) {
	q := s.conn(ctx).Model(&MailMessage{}).Select("status, count(*) AS n").Group("status")
	if ref != "" {
		q = q.Where("ref = ?", ref)
	}
	var rows []struct {
		Status string
		N      int64
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, translate("mail counts", err)
	}
	counts := map[string]int64{MailQueued: 0, MailSent: 0, MailFailed: 0}
	for _, r := range rows {
		counts[r.Status] = r.N
	}
	return counts, nil
}

// MailByID returns one message, for tests and reports.
func (s *Store) MailByID(ctx context.Context, id string) (MailMessage, error) {
	var m MailMessage
	err := s.conn(ctx).Where("id = ?", id).Take(&m).Error
	return m, translate("mail by id", err)
}

// OutboxEntry is a message written to the dev outbox.
type OutboxEntry struct {
	ID        string    `json:"id"`
	MessageID string    `json:"message_id"`
	Kind      string    `json:"kind"`
	Recipient string    `json:"to"`
	Subject   string    `json:"subject"`
	Headers   string    `json:"-"`
	BodyText  string    `json:"text"`
	BodyHTML  string    `json:"html"`
	CreatedAt time.Time `json:"created_at"`
}

// TableName names the dev outbox table.
func (OutboxEntry) TableName() string { return "dev_outbox" }

// WriteOutbox stores a message in the dev outbox.
func (s *Store) WriteOutbox(ctx context.Context, e *OutboxEntry) error {
	e.ID = newID()
	e.CreatedAt = now()
	return translate("write outbox", s.conn(ctx).Create(e).Error)
}

// ListOutbox lists the newest dev outbox messages first. With hideKind
// set, messages of that kind are left out unless addressed to onlyTo.
func (s *Store) ListOutbox(ctx context.Context, limit int, hideKind, onlyTo string) ([]OutboxEntry, error) {
	var entries []OutboxEntry
	q := s.conn(ctx).Order("created_at DESC, id DESC").Limit(limit)
	if hideKind != "" {
		q = q.Where("kind <> ? OR recipient = ?", hideKind, onlyTo)
	}
	err := q.Find(&entries).Error
	return entries, translate("list outbox", err)
}

// PurgeOutbox deletes dev outbox messages written before the given time:
// they hold addresses and live links, and serve only to be read soon.
func (s *Store) PurgeOutbox(ctx context.Context, before time.Time) (int64, error) {
	res := s.conn(ctx).Where("created_at < ?", before).Delete(&OutboxEntry{})
	return res.RowsAffected, translate("purge outbox", res.Error)
}

// FailedMail lists the newest messages that failed for good, with the
// servers' reasons.
func (s *Store) FailedMail(ctx context.Context, limit int) ([]MailMessage, error) {
	var msgs []MailMessage
	err := s.conn(ctx).Where("status = ?", MailFailed).Order("finished_at DESC").Limit(limit).Find(&msgs).Error
	return msgs, translate("failed mail", err)
}
