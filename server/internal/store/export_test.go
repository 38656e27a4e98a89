package store

// Hooks for the store's own tests (package store_test), kept out of the
// production API.

// Exec runs one statement in the transaction: a lock or a fixture.
func (t Tx) Exec(sql string, args ...any) error {
	return translate("exec", t.db.Exec(sql, args...).Error)
}

// IntakeWaiting is how many signing requests wait for a group commit now.
func (s *Store) IntakeWaiting() int { return len(s.intake.requests) }
