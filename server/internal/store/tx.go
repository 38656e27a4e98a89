package store

import (
	"context"

	"gorm.io/gorm"
)

// Tx is a transaction in which side effects that must commit together with
// a change are recorded: queued mail and audit records.
type Tx struct {
	db    *gorm.DB
	store *Store
}

// InTransaction runs fn in one transaction; what fn enqueued is sent if and
// only if fn returns nil and the transaction commits.
func (s *Store) InTransaction(ctx context.Context, fn func(tx Tx) error) error {
	return s.conn(ctx).Transaction(func(db *gorm.DB) error { return fn(Tx{db: db, store: s}) })
}

// Enqueue queues mail in the transaction.
func (t Tx) Enqueue(mails ...Mail) error { return t.store.enqueue(t.db, mails...) }

// Audit writes an audit record in the transaction.
func (t Tx) Audit(e *AuditEntry) error { return writeAudit(t.db, e, e.Target) }
