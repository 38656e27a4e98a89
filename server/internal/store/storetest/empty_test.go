package storetest

import (
	"context"
	"net/url"
	"os"
	"slices"
	"testing"

	"github.com/bnp/undersigned/server/internal/seed"
)

func TestReferrersFirst(t *testing.T) {
	order, ok := referrersFirst([]string{"campaigns", "signatures", "calls", "users"},
		[]string{"signatures campaigns", "calls campaigns", "signatures calls"})
	if !ok {
		t.Fatal("no order for references without a cycle")
	}
	at := func(name string) int { return slices.Index(order, name) }
	if len(order) != 4 || at("signatures") > at("calls") || at("calls") > at("campaigns") || at("users") < 0 {
		t.Fatalf("order %v: a table before one that refers to it", order)
	}
	if _, ok := referrersFirst([]string{"a", "b"}, []string{"a b", "b a"}); ok {
		t.Fatal("an order for references that form a cycle")
	}
}

// A pooled schema comes back to the next test empty (but for the record of
// its migrations), and one whose structure a test changed never comes back.
func TestPooledSchemaComesBackEmptyOrNotAtAll(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("TEST_DATABASE_URL is not set")
	}
	if os.Getenv("TEST_PGBOUNCER_URL") != "" {
		// Behind PgBouncer each store is a database of its own: no pool
		// to test (the run without TEST_PGBOUNCER_URL tests it).
		t.Skip("TEST_PGBOUNCER_URL is set: stores are databases of their own, not pooled schemas")
	}
	ctx := context.Background()
	schemaOf := func(db DB) string {
		u, err := url.Parse(db.URL)
		if err != nil {
			t.Fatal(err)
		}
		return u.Query().Get("search_path")
	}
	var filled string
	t.Run("fill", func(t *testing.T) {
		db := New(t, Postgres)
		filled = schemaOf(db)
		if _, err := seed.LoadIfEmpty(ctx, db.Store, nil); err != nil {
			t.Fatal(err)
		}
		if n := nonEmptyTables(t, filled); len(n) < 3 {
			t.Fatalf("the seed filled only %v: the test would prove little", n)
		}
	})
	t.Run("reuse", func(t *testing.T) {
		db := New(t, Postgres)
		if got := schemaOf(db); got != filled {
			t.Skipf("got schema %s, not the filled %s back (another test took it)", got, filled)
		}
		if n := nonEmptyTables(t, filled); !slices.Equal(n, []string{"goose_db_version"}) {
			t.Fatalf("rows left for the next test in %v", n)
		}
		if err := db.Exec(ctx, "ALTER TABLE campaigns ADD COLUMN left_behind integer"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("after a change of structure", func(t *testing.T) {
		db := New(t, Postgres)
		if got := schemaOf(db); got == filled {
			t.Fatalf("schema %s, whose structure a test changed, was handed out again", got)
		}
		p, _ := thePool()
		var exists bool
		if err := p.admin.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", filled).Scan(&exists); err != nil || exists {
			t.Fatalf("the changed schema %s still exists (%v)", filled, err)
		}
	})
}

// nonEmptyTables lists a pooled schema's tables that hold rows.
func nonEmptyTables(t *testing.T, schema string) []string {
	t.Helper()
	p, err := thePool()
	if err != nil {
		t.Fatal(err)
	}
	tables, err := p.strings(context.Background(), `SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = $1 ORDER BY 1`, schema)
	if err != nil {
		t.Fatal(err)
	}
	var full []string
	for _, table := range tables {
		var some bool
		if err := p.admin.QueryRowContext(context.Background(), "SELECT EXISTS (SELECT 1 FROM "+schema+"."+table+")").Scan(&some); err != nil {
			t.Fatal(err)
		}
		if some {
			full = append(full, table)
		}
	}
	return full
}

// Without the event trigger (a database user who may not create one), a
// change of structure is found by comparing the schema's structure.
func TestChangeOfStructureFoundWithoutTheTrigger(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" || os.Getenv("TEST_PGBOUNCER_URL") != "" {
		t.Skip("no pooled schemas in this run")
	}
	ctx := context.Background()
	db := New(t, Postgres)
	u, _ := url.Parse(db.URL)
	name := u.Query().Get("search_path")
	p, _ := thePool()
	shape, err := p.structure(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	unwatched := &schemaPool{admin: p.admin, shape: map[string]string{name: shape}}
	if err := unwatched.unchanged(ctx, name); err != nil {
		t.Fatalf("a schema as migrated: %v", err)
	}
	if err := db.Exec(ctx, "CREATE INDEX left_behind ON campaigns (title)"); err != nil {
		t.Fatal(err)
	}
	if err := unwatched.unchanged(ctx, name); err == nil {
		t.Fatal("a new index went unnoticed")
	}
	if p.watched {
		if err := p.unchanged(ctx, name); err == nil {
			t.Fatal("the event trigger did not note the new index")
		}
	}
}

// A schema left in use by a process that died is dropped by the next.
func TestSchemaOfADeadProcessIsDropped(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" || os.Getenv("TEST_PGBOUNCER_URL") != "" {
		t.Skip("no pooled schemas in this run")
	}
	ctx := context.Background()
	p, err := thePool()
	if err != nil {
		t.Fatal(err)
	}
	name, err := p.create(ctx, t)
	if err != nil {
		t.Fatal(err)
	}
	p.unlock(ctx, name) // as the process's end does
	p.sweep(ctx)
	var exists bool
	if err := p.admin.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) OR EXISTS (SELECT 1 FROM storetest.schemas WHERE name = $1)", name).Scan(&exists); err != nil || exists {
		t.Fatalf("schema %s, left in use by a process that ended, is still there (%v)", name, err)
	}
}
