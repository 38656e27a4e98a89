package store

import "context"

// Query runs one read-only statement and scans its rows into dest (a
// pointer to a struct or a slice): for tests and operations tooling that
// must see rows as they are on disk, never for request handling.
func (s *Store) Query(ctx context.Context, dest any, sql string, args ...any) error {
	return translate("query", s.conn(ctx).Raw(sql, args...).Scan(dest).Error)
}
