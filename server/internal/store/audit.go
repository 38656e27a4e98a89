package store

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// AuditEntry records who did what, when, to how many rows.
type AuditEntry struct {
	ID         string
	At         time.Time
	ActorID    string
	ActorEmail string
	Action     string
	Target     string
	RowCount   int64
	Detail     string
}

// TableName keeps the table's name singular-free and explicit.
func (AuditEntry) TableName() string { return "audit_log" }

// Audit writes one audit record on its own.
func (s *Store) Audit(ctx context.Context, e *AuditEntry) error {
	return writeAudit(s.conn(ctx), e, e.Target)
}

// writeAudit writes e (when not nil) inside the caller's transaction, so
// that an action and its record commit or fail together. An empty target
// becomes the given one (the id of a row just created).
func writeAudit(tx *gorm.DB, e *AuditEntry, target string) error {
	if e == nil {
		return nil
	}
	e.ID = newID()
	e.At = now()
	if e.Target == "" {
		e.Target = target
	}
	return translate("write audit", tx.Create(e).Error)
}

// ListAudit lists audit records newest first, starting after the record
// with id before (empty: from the newest), at most limit of them.
func (s *Store) ListAudit(ctx context.Context, before string, limit int) ([]AuditEntry, error) {
	q := s.conn(ctx).Order("id DESC").Limit(limit)
	if before != "" {
		q = q.Where("id < ?", before)
	}
	var entries []AuditEntry
	return entries, translate("list audit", q.Find(&entries).Error)
}

// AuditTargetNames names the targets of audit records that are ids: a
// digest or schedule by its subject, a user by address, an endorsement by
// its shown name, a contact by name; so the log reads "On: Weekly update",
// not a UUID. Targets that are no id of these (campaign slugs) or whose
// row is gone have no entry.
func (s *Store) AuditTargetNames(ctx context.Context, targets []string) (map[string]string, error) {
	out := map[string]string{}
	if len(targets) == 0 {
		return out, nil
	}
	type row struct{ ID, Name string }
	for _, q := range []struct{ table, column string }{
		{"digests", "subject"}, {"schedules", "subject"}, {"users", "email"},
		{"endorsements", "display_name"}, {"contacts", "name"},
	} {
		var rows []row
		err := s.conn(ctx).Table(q.table).Select("id, "+q.column+" AS name").Where("id IN ?", targets).Scan(&rows).Error
		if err != nil {
			return nil, translate("audit target names", err)
		}
		for _, r := range rows {
			out[r.ID] = r.Name
		}
	}
	return out, nil
}
