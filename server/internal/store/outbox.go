package store

import (
	"context"
	"sort"
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

// ListOutbox lists the newest dev outbox messages first, opened. With
// hideKind set, messages of that kind are left out unless addressed to
// onlyTo (the address is sealed, so that test is made in memory).
func (s *Store) ListOutbox(ctx context.Context, limit int, hideKind, onlyTo string) ([]OutboxEntry, error) {
	newest := func(kindOp, kind string) ([]OutboxEntry, error) {
		var entries []OutboxEntry
		q := s.conn(ctx).Order("created_at DESC, id DESC")
		if kindOp != "" {
			q = q.Where("kind "+kindOp+" ?", kind)
		}
		if kindOp != "=" {
			q = q.Limit(limit)
		}
		if err := q.Find(&entries).Error; err != nil {
			return nil, translate("list outbox", err)
		}
		for i := range entries {
			for column, field := range entries[i].sealedFields() {
				v, err := s.open(*field, outboxAt(column, entries[i].ID))
				if err != nil {
					return nil, err
				}
				*field = v
			}
		}
		return entries, nil
	}
	if hideKind == "" {
		return newest("", "")
	}
	shown, err := newest("<>", hideKind)
	if err != nil {
		return nil, err
	}
	// The outbox keeps two days of mail, so the hidden kind's messages are
	// few: read them all and keep those addressed to onlyTo.
	hidden, err := newest("=", hideKind)
	if err != nil {
		return nil, err
	}
	for _, e := range hidden {
		if e.Recipient == onlyTo {
			shown = append(shown, e)
		}
	}
	sort.SliceStable(shown, func(i, j int) bool {
		if !shown[i].CreatedAt.Equal(shown[j].CreatedAt) {
			return shown[i].CreatedAt.After(shown[j].CreatedAt)
		}
		return shown[i].ID > shown[j].ID
	})
	return shown[:min(limit, len(shown))], nil
}

// PurgeOutbox deletes dev outbox messages written before the given time:
// they hold addresses and live links, and serve only to be read soon.
func (s *Store) PurgeOutbox(ctx context.Context, before time.Time) (int64, error) {
	res := s.conn(ctx).Where("created_at < ?", before).Delete(&OutboxEntry{})
	return res.RowsAffected, translate("purge outbox", res.Error)
}
