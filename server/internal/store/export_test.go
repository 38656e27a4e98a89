package store

import "context"

// Hooks for the store's own tests (package store_test), kept out of the
// production API.

// Exec runs one statement in the transaction: a lock or a fixture.
func (t Tx) Exec(sql string, args ...any) error {
	return translate("exec", t.db.Exec(sql, args...).Error)
}

// IntakeWaiting is how many signing requests wait for a group commit now.
func (s *Store) IntakeWaiting() int { return len(s.intake.requests) }

// MigrateTo applies the migrations up to version and no further, as an
// older release left the database.
func (s *Store) MigrateTo(ctx context.Context, version int64) error {
	p, err := s.migrator()
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

// ConfirmsWaiting is how many confirmations wait for a group commit now.
func (s *Store) ConfirmsWaiting() int { return len(s.confirms.requests) }

// ConfirmStats reports how many confirmations were written in how many
// transactions.
func (s *Store) ConfirmStats() (requests, commits int64) {
	return s.confirms.requestsDone.Load(), s.confirms.commits.Load()
}
