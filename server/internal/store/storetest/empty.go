package storetest

import (
	"context"
	"errors"
	"strings"
)

// empty runs a schema's wipe statements (wipeStatements) in a transaction.
func (p *schemaPool) empty(ctx context.Context, wipe string) error {
	if wipe == "" {
		return errors.New("no statements to empty the schema")
	}
	tx, err := p.admin.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	// A connection the test left open would hold its locks: give up on
	// the schema rather than wait.
	if _, err := tx.ExecContext(ctx, "SET LOCAL lock_timeout = '2s'"); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, wipe); err != nil {
		return err
	}
	return tx.Commit()
}

// wipeStatements returns the statements that delete every row of a
// migrated schema but goose's record of the migrations applied, and
// set its sequences back: one DELETE per table, each table after every
// table that refers to it, so that no foreign key refuses a delete. A test
// leaves a few rows in each table; TRUNCATE gives each of the 30 tables
// and their indexes new files, which cost PostgreSQL 0.4–0.6 s a test on a
// busy machine, where the DELETEs take a few milliseconds. (TRUNCATE is
// kept for a schema whose foreign keys form a cycle.)
func (p *schemaPool) wipeStatements(ctx context.Context, name string) (string, error) {
	tables, err := p.strings(ctx, `SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = $1 AND tablename <> 'goose_db_version'`, name)
	if err != nil {
		return "", err
	}
	if len(tables) == 0 {
		return "", errors.New("no tables")
	}
	// Each foreign key as "referring referred", between two tables of the schema.
	refs, err := p.strings(ctx, `SELECT quote_ident(c.relname) || ' ' || quote_ident(f.relname)
		FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class f ON f.oid = k.confrelid
		WHERE k.contype = 'f' AND k.conrelid <> k.confrelid AND c.relnamespace = f.relnamespace AND f.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1)`, name)
	if err != nil {
		return "", err
	}
	// Sequences but goose's (its table is kept), each back to its start
	// with setval: ALTER SEQUENCE ... RESTART would rewrite the sequence
	// and its catalog row every time.
	sequences, err := p.strings(ctx, `SELECT quote_literal(quote_ident(n.nspname) || '.' || quote_ident(s.relname)) || ', ' || q.seqstart
		FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace JOIN pg_sequence q ON q.seqrelid = s.oid
		WHERE n.nspname = $1 AND s.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid
			WHERE d.objid = s.oid AND d.classid = 'pg_class'::regclass AND t.relname = 'goose_db_version')`, name)
	if err != nil {
		return "", err
	}
	var stmts []string
	if order, ok := referrersFirst(tables, refs); ok {
		for _, t := range order {
			stmts = append(stmts, "DELETE FROM "+name+"."+t)
		}
	} else {
		qualified := make([]string, len(tables))
		for i, t := range tables {
			qualified[i] = name + "." + t
		}
		stmts = append(stmts, "TRUNCATE "+strings.Join(qualified, ", ")+" CASCADE")
	}
	for _, s := range sequences {
		stmts = append(stmts, "SELECT setval("+s+", false)")
	}
	// One round trip: without arguments, the statements go as one simple query.
	return strings.Join(stmts, "; "), nil
}

// referrersFirst orders tables so that each comes after every table that
// refers to it (refs: "referring referred"); false if the references form
// a cycle.
func referrersFirst(tables, refs []string) ([]string, bool) {
	referrers := map[string]map[string]bool{} // referred -> its referring tables not yet placed
	for _, r := range refs {
		from, to, _ := strings.Cut(r, " ")
		if referrers[to] == nil {
			referrers[to] = map[string]bool{}
		}
		referrers[to][from] = true
	}
	var order []string
	placed := map[string]bool{}
	for len(order) < len(tables) {
		progress := false
		for _, t := range tables {
			if placed[t] || len(referrers[t]) > 0 {
				continue
			}
			placed[t], progress = true, true
			order = append(order, t)
			for _, from := range referrers {
				delete(from, t)
			}
		}
		if !progress {
			return nil, false
		}
	}
	return order, true
}

// strings runs a query of one text column with one argument.
func (p *schemaPool) strings(ctx context.Context, query, arg string) ([]string, error) {
	rows, err := p.admin.QueryContext(ctx, query, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// structure describes a schema's tables, columns, indexes, constraints,
// triggers and applied migrations, to tell whether a test changed them.
// It reads the catalogs: information_schema.columns took 60–160 ms a test.
func (p *schemaPool) structure(ctx context.Context, name string) (string, error) {
	var shape string
	err := p.admin.QueryRowContext(ctx, `SELECT replace(concat_ws('|',
		(SELECT string_agg(c.relname || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod) || ':' || a.attnotnull || ':' || coalesce(pg_get_expr(d.adbin, d.adrelid), ''), ',' ORDER BY c.relname, a.attname)
		   FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		  WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped),
		(SELECT string_agg(indexdef, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = $1),
		(SELECT string_agg(c.conname || ' ' || pg_get_constraintdef(c.oid), ',' ORDER BY c.conname)
		   FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = $1),
		(SELECT string_agg(g.tgname, ',' ORDER BY g.tgname)
		   FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		  WHERE n.nspname = $1 AND NOT g.tgisinternal),
		(SELECT string_agg(p.proname, ',' ORDER BY p.proname) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1),
		(SELECT string_agg(sequencename, ',' ORDER BY sequencename) FROM pg_sequences WHERE schemaname = $1)
	), $1 || '.', '')`, name).Scan(&shape)
	if err != nil {
		return "", err
	}
	var versions string
	err = p.admin.QueryRowContext(ctx, "SELECT coalesce(string_agg(version_id::text || is_applied::text, ',' ORDER BY id), '') FROM "+name+".goose_db_version").Scan(&versions)
	return shape + "|" + versions, err
}
