package store

import (
	"context"
	"strings"
	"time"
)

// OutboxEntry is a message written to the dev outbox. Its recipient,
// headers and bodies are sealed on disk and opened when staff read them.
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

// sealedFields lists the entry's personal fields with their column names.
func (e *OutboxEntry) sealedFields() map[string]*string {
	return map[string]*string{"recipient": &e.Recipient, "headers": &e.Headers, "body_text": &e.BodyText, "body_html": &e.BodyHTML}
}

// WriteOutbox stores a message in the dev outbox, sealed; e keeps its
// plain text.
func (s *Store) WriteOutbox(ctx context.Context, e *OutboxEntry) error {
	e.ID = newID()
	e.CreatedAt = now()
	row := *e
	for column, field := range row.sealedFields() {
		v, err := s.seal(*field, outboxAt(column, row.ID))
		if err != nil {
			return err
		}
		*field = v
	}
	return translate("write outbox", s.conn(ctx).Create(&row).Error)
}

// OutboxFilter narrows a dev outbox listing; an empty field matches all.
type OutboxFilter struct {
	Kind string // the mail's kind, e.g. "digest"
	To   string // the recipient's address, matched without regard to case
}

// ListOutbox lists the newest dev outbox messages that match f first,
// opened, at most limit. The address is sealed, so the To test is made in
// memory over every message of the kind: the outbox keeps two days of mail.
func (s *Store) ListOutbox(ctx context.Context, limit int, f OutboxFilter) ([]OutboxEntry, error) {
	var entries []OutboxEntry
	q := s.conn(ctx).Order("created_at DESC, id DESC")
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	to := strings.ToLower(strings.TrimSpace(f.To))
	if to == "" {
		q = q.Limit(limit)
	}
	if err := q.Find(&entries).Error; err != nil {
		return nil, translate("list outbox", err)
	}
	shown := entries[:0]
	for i := range entries {
		for column, field := range entries[i].sealedFields() {
			v, err := s.open(*field, outboxAt(column, entries[i].ID))
			if err != nil {
				return nil, err
			}
			*field = v
		}
		if to == "" || strings.ToLower(entries[i].Recipient) == to {
			shown = append(shown, entries[i])
		}
	}
	return shown[:min(limit, len(shown))], nil
}

// PurgeOutbox deletes dev outbox messages written before the given time:
// they hold addresses and live links, and serve only to be read soon.
func (s *Store) PurgeOutbox(ctx context.Context, before time.Time) (int64, error) {
	res := s.conn(ctx).Where("created_at < ?", before).Delete(&OutboxEntry{})
	return res.RowsAffected, translate("purge outbox", res.Error)
}
