package store

import (
	"context"
	"strings"
)

// queueFillfactor leaves half of each page of the queue free on
// PostgreSQL, so that a claim's new row version (lease, attempts) fits on
// the row's own page: a heap-only update, which writes no index entry. With
// full pages every claim wrote a new entry in each of the queue's four
// indexes, and the queue's database work per message was a third higher
// (measured in docs/benchmarks.md). SQLite has no such setting.
const queueFillfactor = "fillfactor=50"

// tuneMailQueue sets the queue table's storage parameters, once: a
// PostgreSQL-only setting, which the migrations (shared with SQLite)
// cannot hold. It changes how rows are written from now on, and rewrites
// nothing.
func (s *Store) tuneMailQueue(ctx context.Context) error {
	if !s.postgres {
		return nil
	}
	var options []string
	err := s.conn(ctx).Raw("SELECT unnest(reloptions) FROM pg_class WHERE oid = 'mail_messages'::regclass").Scan(&options).Error
	if err != nil {
		return translate("tune mail queue", err)
	}
	for _, o := range options {
		if strings.EqualFold(o, queueFillfactor) {
			return nil
		}
	}
	return translate("tune mail queue", s.conn(ctx).Exec("ALTER TABLE mail_messages SET ("+queueFillfactor+")").Error)
}
