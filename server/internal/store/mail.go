package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	ID        string
	Kind      string
	Ref       string
	DedupeKey *string
	Recipient *string
	Language  string
	Params    *string
	// ContactID names the contact of a digest delivery, whose address is
	// read from contacts when the message is claimed, never copied here.
	ContactID     *string
	MessageID     string
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LeaseUntil    *time.Time
	LeasedBy      string
	LastError     string
	CreatedAt     time.Time
	FinishedAt    *time.Time

	// bounced: the contact's address bounced; the message is not sent.
	bounced bool `gorm:"-"`
}

// TableName names the queue table.
func (MailMessage) TableName() string { return "mail_messages" }

// enqueue adds messages inside the caller's transaction, so that they are
// sent if and only if the transaction commits. The store's message domain
// (Options.MessageDomain) is the right half of each stable Message-ID. The
// recipient and params are sealed before they are written: they never
// reach the disk in plain text.
func (s *Store) enqueue(tx *gorm.DB, mails ...Mail) error {
	if len(mails) == 0 {
		return nil
	}
	t := now()
	rows := make([]MailMessage, len(mails))
	for i, m := range mails {
		id := newID()
		recipient, err := s.seal(m.Recipient, recipientAt(id))
		if err != nil {
			return err
		}
		params, err := s.seal(string(m.Params), paramsAt(id))
		if err != nil {
			return err
		}
		rows[i] = MailMessage{
			ID: id, Kind: m.Kind, Ref: m.Ref, Recipient: &recipient, Language: m.Language, Params: &params,
			MessageID: id + "@" + s.messageDomain, Status: MailQueued, NextAttemptAt: t, CreatedAt: t,
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
func (s *Store) EnqueueMail(ctx context.Context, mails ...Mail) error {
	err := s.InTransaction(ctx, func(tx Tx) error { return tx.Enqueue(mails...) })
	if err == nil && len(mails) >= bulkMail {
		s.analyzeQueue()
	}
	return err
}

// bulkMail is how many messages queued at once change the queue's shape
// enough to refresh PostgreSQL's statistics of it.
const bulkMail = 1000

// analyzeQueue refreshes PostgreSQL's statistics of the queue, in the
// background, after a bulk enqueue (a digest to 100,000 contacts): with
// the statistics of a near-empty table the planner reads and sorts every
// due message for each claim instead of walking the index for a batch,
// and a claim costs as much as the queue is long.
func (s *Store) analyzeQueue() {
	if !s.postgres {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.queue.WithContext(ctx).Exec("ANALYZE mail_messages").Error; err != nil {
			slog.Warn("store: analyze the mail queue", "err", err)
		}
	}()
}

// ClaimMail leases up to limit due messages to worker for the lease
// duration, opened (recipient and params in plain text, in memory only).
// On PostgreSQL, SKIP LOCKED lets instances claim side by side without
// waiting on each other; SQLite has one writer at a time anyway. A message
// whose lease ran out (its worker died) is due again. A digest delivery to
// a contact whose address bounced is recorded as failed, not returned.
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
	if err != nil {
		return nil, translate("claim mail", err)
	}
	if err := s.openClaimed(ctx, claimed); err != nil {
		return nil, err
	}
	return s.skipBounced(ctx, worker, claimed)
}

// openClaimed opens each message's sealed recipient and params and reads
// the address of each digest delivery's contact (a deleted contact leaves
// it empty: the message fails as having no recipient).
func (s *Store) openClaimed(ctx context.Context, msgs []MailMessage) error {
	var contactIDs []string
	for i := range msgs {
		m := &msgs[i]
		var err error
		if m.Recipient, err = s.openPtr(m.Recipient, recipientAt(m.ID)); err != nil {
			return err
		}
		if m.ContactID != nil {
			// A digest delivery's params are two ids, nothing personal: they
			// are written in one INSERT … SELECT, unsealed.
			contactIDs = append(contactIDs, *m.ContactID)
			continue
		}
		if m.Params, err = s.openPtr(m.Params, paramsAt(m.ID)); err != nil {
			return err
		}
	}
	if len(contactIDs) == 0 {
		return nil
	}
	var contacts []struct {
		ID, Email string
		BouncedAt *time.Time
	}
	err := s.queue.WithContext(ctx).Table("contacts").Select("id, email, bounced_at").Where("id IN ?", contactIDs).Scan(&contacts).Error
	if err != nil {
		return translate("claim mail: contacts", err)
	}
	byID := make(map[string]int, len(contacts))
	for i, c := range contacts {
		byID[c.ID] = i
	}
	for i := range msgs {
		m := &msgs[i]
		if m.ContactID == nil {
			continue
		}
		if j, ok := byID[*m.ContactID]; ok {
			c := contacts[j]
			if c.BouncedAt != nil {
				m.bounced = true
			} else {
				m.Recipient = &c.Email
			}
		}
	}
	return nil
}

// skipBounced records as failed the claimed deliveries to contacts whose
// address bounced, and returns the others.
func (s *Store) skipBounced(ctx context.Context, worker string, msgs []MailMessage) ([]MailMessage, error) {
	kept := msgs[:0]
	for _, m := range msgs {
		if !m.bounced {
			kept = append(kept, m)
			continue
		}
		err := s.FailMail(ctx, m.ID, worker, "not sent: the contact's address bounced before; staff can clear it")
		if err != nil && !errors.Is(err, ErrLeaseLost) {
			return nil, err
		}
	}
	return kept, nil
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

// RenewMailLeases is ExtendMailLease for everything a worker holds, in
// one statement: the queue's heartbeat. It returns the ids it renewed;
// the others are finished or no longer worker's. On PostgreSQL it passes
// over rows locked at that moment: they are being finished (a batch of
// sends being recorded), and waiting for them could deadlock with that
// statement, which locks the same rows in another order.
func (s *Store) RenewMailLeases(ctx context.Context, worker string, lease time.Duration, ids ...string) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	t := now()
	lock := ""
	if s.postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var renewed []string
	err := s.queue.WithContext(ctx).Raw(`UPDATE mail_messages SET lease_until = ? WHERE id IN (
		SELECT id FROM mail_messages WHERE id IN ? AND leased_by = ? AND status = ? AND lease_until > ?`+lock+`)
		RETURNING id`, t.Add(lease), ids, worker, MailQueued, t).Scan(&renewed).Error
	return renewed, translate("renew mail leases", err)
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

// MarkMailSentBatch is MarkMailSent for many messages in one statement:
// the queue records its sends in batches, so that the database is off the
// path of each message. It returns how many it recorded; the others were
// already finished (by a worker that took them over).
func (s *Store) MarkMailSentBatch(ctx context.Context, ids []string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	res := s.queue.WithContext(ctx).Model(&MailMessage{}).Where("id IN ? AND status = ?", ids, MailQueued).Updates(map[string]any{
		"status": MailSent, "finished_at": now(), "recipient": nil, "params": nil,
		"lease_until": nil, "last_error": "",
	})
	return int(res.RowsAffected), translate("mark mail sent", res.Error)
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

// PostponeMail gives back a message held by worker until at, without
// counting the attempt: the fault was not the message's (the SMTP server
// was unreachable or closed the connection). It returns ErrLeaseLost if
// worker no longer holds it.
func (s *Store) PostponeMail(ctx context.Context, id, worker string, at time.Time, reason string) error {
	res := s.queue.WithContext(ctx).Model(&MailMessage{}).
		Where("id = ? AND leased_by = ? AND status = ?", id, worker, MailQueued).Updates(map[string]any{
		"next_attempt_at": at.UTC().Truncate(time.Millisecond), "lease_until": nil, "last_error": reason,
		"attempts": gorm.Expr("attempts - 1"),
	})
	return held("postpone mail", res)
}

// BounceMail is FailMail for an address the recipient's server refused
// for good: the contact of a digest delivery is also marked as bouncing,
// so that no digest is sent to it until staff clear the mark.
func (s *Store) BounceMail(ctx context.Context, id, worker, reason string) error {
	return s.queue.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var m MailMessage
		if err := tx.Select("id", "contact_id").Where("id = ?", id).Take(&m).Error; err != nil {
			return translate("bounce mail", err)
		}
		res := tx.Model(&MailMessage{}).
			Where("id = ? AND leased_by = ? AND status = ?", id, worker, MailQueued).Updates(map[string]any{
			"status": MailFailed, "finished_at": now(), "recipient": nil, "params": nil,
			"lease_until": nil, "last_error": reason,
		})
		if err := held("bounce mail", res); err != nil || m.ContactID == nil {
			return err
		}
		err := tx.Table("contacts").Where("id = ? AND bounced_at IS NULL", *m.ContactID).
			Updates(map[string]any{"bounced_at": now(), "bounce_reason": reason}).Error
		return translate("bounce mail: contact", err)
	})
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
	if err := s.conn(ctx).Where("id = ?", id).Take(&m).Error; err != nil {
		return m, translate("mail by id", err)
	}
	var err error
	if m.Recipient, err = s.openPtr(m.Recipient, recipientAt(m.ID)); err != nil || m.ContactID != nil {
		return m, err
	}
	m.Params, err = s.openPtr(m.Params, paramsAt(m.ID))
	return m, err
}

// FailedMail lists the newest messages that failed for good, with the
// servers' reasons.
func (s *Store) FailedMail(ctx context.Context, limit int) ([]MailMessage, error) {
	var msgs []MailMessage
	err := s.conn(ctx).Where("status = ?", MailFailed).Order("finished_at DESC").Limit(limit).Find(&msgs).Error
	return msgs, translate("failed mail", err)
}
