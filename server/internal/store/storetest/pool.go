package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"strings"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the admin connection's driver

	"github.com/bnp/undersigned/migrations"
	"github.com/bnp/undersigned/server/internal/store"
)

// The migrated PostgreSQL schemas are shared by every test process that
// uses the TEST_DATABASE_URL database, now and in later runs: `go test`
// runs several packages at once, each migrated its own schemas, and
// migrating one costs PostgreSQL about half a second of work (150 DDL
// statements) that every later test run repeated.
//
// A schema is named tp_<family>_<id>, its family a hash of the migrations,
// so a change to them starts a new family and the old one is dropped. The
// schema storetest in the same database records each pooled schema and
// whether it is clean: emptied after its last test, its structure as the
// migrations left it. A process holds a session advisory lock on each
// schema in its hands (its tests' and its free ones) until it ends; a
// schema found unlocked but not clean belonged to a process that died
// mid-test, and is dropped.
//
// Whether a test changed a schema's structure is known from an event
// trigger that notes the schemas each DDL statement touches, which costs
// nothing per test; without the right to create one (it takes a
// superuser), the schema's structure is compared with its structure right
// after migration (structure, empty.go), which costs tens of milliseconds.

// poolLockClass is the first key of the pool's advisory locks (two-key
// form, which never meets goose's one-key lock).
const poolLockClass = 0x7573_7470 // "ustp"

// poolFormat changes when the pool's records change meaning, or when what
// Migrate does beyond the migration files (such as tuneMailQueue) changes:
// the family hashes only the files.
const poolFormat = "2"

type schemaPool struct {
	admin *sql.DB
	// family names this tree's migrations: tp_<family>_<id>.
	family string
	// migrate makes a new schema's tables.
	migrate func(ctx context.Context, url string) error
	// watched says the event trigger notes DDL (no structure check).
	watched bool

	// lockMu guards lock, the connection that holds the locks.
	lockMu sync.Mutex
	lock   *sql.Conn

	mu    sync.Mutex
	held  map[string]bool   // schemas this process holds the lock of
	free  []string          // schemas this process holds, clean
	shape map[string]string // schema -> its structure after migration (unwatched only)
	wipe  map[string]string // schema -> the statements that empty it
}

// poolSetup creates the pool's records and, where allowed, its event
// trigger; one process at a time.
const poolSetup = `
SELECT pg_advisory_xact_lock(__CLASS__, 0);
CREATE SCHEMA IF NOT EXISTS storetest;
CREATE TABLE IF NOT EXISTS storetest.schemas (
	name   TEXT PRIMARY KEY,
	family TEXT NOT NULL,
	clean  BOOLEAN NOT NULL,
	shape  TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS storetest.ddl (schema TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ddl_schema ON storetest.ddl (schema);
CREATE OR REPLACE FUNCTION storetest.note_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO storetest.ddl SELECT DISTINCT schema_name FROM pg_event_trigger_ddl_commands() WHERE schema_name LIKE 'tp\_%';
END $$;
CREATE OR REPLACE FUNCTION storetest.note_drop() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO storetest.ddl SELECT DISTINCT schema_name FROM pg_event_trigger_dropped_objects() WHERE schema_name LIKE 'tp\_%';
END $$;`

// triggerSetup creates the event triggers that are missing.
const triggerSetup = `
SELECT pg_advisory_xact_lock(__CLASS__, 0);
DO $$ BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'storetest_ddl') THEN
		CREATE EVENT TRIGGER storetest_ddl ON ddl_command_end EXECUTE FUNCTION storetest.note_ddl();
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'storetest_drop') THEN
		CREATE EVENT TRIGGER storetest_drop ON sql_drop EXECUTE FUNCTION storetest.note_drop();
	END IF;
END $$;`

// thePool is this process's pool of schemas migrated by the store.
var thePool = sync.OnceValues(func() (*schemaPool, error) {
	family, err := migrationsFamily()
	if err != nil {
		return nil, err
	}
	p, err := newSchemaPool(family, migrateStore)
	if err != nil {
		return nil, err
	}
	p.sweep(context.Background())
	return p, nil
})

// migrateStore migrates a schema as the store does, without goose's lock
// (the PgBouncer option): the schema is this process's alone, and the
// lock is one per database.
func migrateStore(ctx context.Context, url string) error {
	s, err := store.OpenWith(ctx, url, "", store.Options{PgBouncer: true, MaxOpenConns: 1, QueueMaxOpenConns: 1})
	if err != nil {
		return err
	}
	_, err = s.Migrate(ctx)
	_ = s.Close()
	return err
}

// newSchemaPool opens a pool of schemas of a family, made by migrate.
func newSchemaPool(family string, migrate func(ctx context.Context, url string) error) (*schemaPool, error) {
	admin, err := sql.Open("pgx", os.Getenv("TEST_DATABASE_URL"))
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	lock, err := admin.Conn(ctx)
	if err != nil {
		return nil, err
	}
	p := &schemaPool{admin: admin, lock: lock, family: family, migrate: migrate,
		held: map[string]bool{}, shape: map[string]string{}, wipe: map[string]string{}}
	class := fmt.Sprint(poolLockClass)
	if _, err := admin.ExecContext(ctx, strings.ReplaceAll(poolSetup, "__CLASS__", class)); err != nil {
		return nil, fmt.Errorf("the pool's records: %w", err)
	}
	// Without the right to create event triggers, the structure check.
	_, _ = admin.ExecContext(ctx, strings.ReplaceAll(triggerSetup, "__CLASS__", class))
	if err := admin.QueryRowContext(ctx, `SELECT count(*) = 2 FROM pg_event_trigger
		WHERE evtname IN ('storetest_ddl', 'storetest_drop') AND evtenabled <> 'D'`).Scan(&p.watched); err != nil {
		return nil, err
	}
	return p, nil
}

// migrationsFamily hashes the migrations (names and contents) and the
// pool's format.
func migrationsFamily() (string, error) {
	h := sha256.New()
	h.Write([]byte(poolFormat))
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		fmt.Fprintf(h, "\x00%s\x00%d\x00", path, len(b))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil)[:5]), err
}

// lockKey is a schema's advisory lock key.
func lockKey(name string) int32 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return int32(h.Sum32())
}

// tryLock takes a schema's lock for this process, if no process holds it
// (this one included: a session's advisory locks are reentrant).
func (p *schemaPool) tryLock(ctx context.Context, name string) (bool, error) {
	p.lockMu.Lock()
	defer p.lockMu.Unlock()
	p.mu.Lock()
	held := p.held[name]
	p.mu.Unlock()
	if held {
		return false, nil
	}
	var got bool
	err := p.lock.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1, $2)", poolLockClass, lockKey(name)).Scan(&got)
	if got {
		p.mu.Lock()
		p.held[name] = true
		p.mu.Unlock()
	}
	return got, err
}

func (p *schemaPool) unlock(ctx context.Context, name string) {
	p.lockMu.Lock()
	defer p.lockMu.Unlock()
	_, _ = p.lock.ExecContext(ctx, "SELECT pg_advisory_unlock($1, $2)", poolLockClass, lockKey(name))
	p.mu.Lock()
	delete(p.held, name)
	p.mu.Unlock()
}

// sweep drops the unlocked schemas of other families, those left unclean
// (a process died in a test), and the tp_ schemas the pool has no record
// of (a process died while making one).
func (p *schemaPool) sweep(ctx context.Context) {
	names, err := p.strings(ctx, `SELECT n.nspname FROM pg_namespace n LEFT JOIN storetest.schemas s ON s.name = n.nspname
		WHERE n.nspname LIKE 'tp\_%' AND (s.family IS NULL OR s.family <> $1 OR NOT s.clean)`, p.family)
	if err != nil {
		return
	}
	for _, name := range names {
		if got, err := p.tryLock(ctx, name); err == nil && got {
			p.drop(ctx, name)
		}
	}
}

// drop drops a schema whose lock this process holds, its records, and the lock.
func (p *schemaPool) drop(ctx context.Context, name string) {
	_, _ = p.admin.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+name+" CASCADE")
	_, _ = p.admin.ExecContext(ctx, "DELETE FROM storetest.schemas WHERE name = $1", name)
	_, _ = p.admin.ExecContext(ctx, "DELETE FROM storetest.ddl WHERE schema = $1", name)
	p.mu.Lock()
	delete(p.shape, name)
	delete(p.wipe, name)
	p.mu.Unlock()
	p.unlock(ctx, name)
}

// pooledSchema returns a URL of an empty, migrated schema, given back to
// the pool when the test ends.
func pooledSchema(t testing.TB) string {
	t.Helper()
	return viaLot(schemaURL(t, poolSchema(t)))
}

// MigratedSchema returns a URL of an empty, migrated schema from the
// pool, given back when the test ends, for a child process that runs the
// binary on PostgreSQL (and finds nothing to migrate): through the parking
// lot's loopback listener, as the binary wants a host. NewSchema gives an
// empty schema, to test migrating.
func MigratedSchema(t testing.TB) string {
	t.Helper()
	return viaLotTCP(schemaURL(t, poolSchema(t)))
}

// poolSchema takes a schema from the pool until the test ends.
func poolSchema(t testing.TB) string {
	t.Helper()
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Fatal("storetest: TEST_DATABASE_URL is not set")
	}
	p, err := thePool()
	if err != nil {
		t.Fatalf("storetest: PostgreSQL at TEST_DATABASE_URL: %v", err)
	}
	name, err := p.take(context.Background(), t)
	if err != nil {
		t.Fatalf("storetest: pooled schema: %v", err)
	}
	t.Cleanup(func() { p.giveBack(name) })
	return name
}

// take hands out a clean schema: one this process holds, else a free one
// of another (or an earlier) process, else a new one; marked in use.
func (p *schemaPool) take(ctx context.Context, t testing.TB) (string, error) {
	p.mu.Lock()
	var name string
	if n := len(p.free); n > 0 {
		name, p.free = p.free[n-1], p.free[:n-1]
	}
	p.mu.Unlock()
	if name == "" {
		var err error
		if name, err = p.takeShared(ctx); err != nil {
			return "", err
		}
	}
	if name == "" {
		return p.create(ctx, t)
	}
	_, err := p.admin.ExecContext(ctx, "UPDATE storetest.schemas SET clean = false WHERE name = $1", name)
	return name, err
}

// takeShared locks a clean schema of this family that no process holds
// ("" if none), dropping any left unclean.
func (p *schemaPool) takeShared(ctx context.Context) (string, error) {
	names, err := p.strings(ctx, "SELECT name FROM storetest.schemas WHERE family = $1 AND clean ORDER BY random()", p.family)
	if err != nil {
		return "", err
	}
	for _, name := range names {
		got, err := p.tryLock(ctx, name)
		if err != nil {
			return "", err
		}
		if !got {
			continue
		}
		// Read again under the lock: another process may have taken it
		// between the list and the lock, and died with it.
		var clean bool
		var shape string
		err = p.admin.QueryRowContext(ctx, "SELECT clean, shape FROM storetest.schemas WHERE name = $1", name).Scan(&clean, &shape)
		if err == nil && clean {
			p.mu.Lock()
			p.shape[name] = shape
			p.mu.Unlock()
			return name, nil
		}
		p.drop(ctx, name)
	}
	return "", nil
}

// create makes and migrates a new schema of this family, locked.
func (p *schemaPool) create(ctx context.Context, t testing.TB) (string, error) {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "tp_" + p.family + "_" + hex.EncodeToString(b)
	if got, err := p.tryLock(ctx, name); err != nil || !got {
		return "", fmt.Errorf("lock a new schema: %v", err)
	}
	if _, err := p.admin.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		p.unlock(ctx, name)
		return "", fmt.Errorf("create schema: %w", err)
	}
	err := p.migrate(ctx, schemaURL(t, name))
	var shape string
	if err == nil && !p.watched {
		shape, err = p.structure(ctx, name)
	}
	if err == nil {
		// What the migration itself noted is not a test's change.
		_, err = p.admin.ExecContext(ctx, "DELETE FROM storetest.ddl WHERE schema = $1", name)
	}
	if err == nil {
		_, err = p.admin.ExecContext(ctx, "INSERT INTO storetest.schemas (name, family, clean, shape) VALUES ($1, $2, false, $3)", name, p.family, shape)
	}
	if err != nil {
		p.drop(ctx, name)
		return "", fmt.Errorf("migrate schema: %w", err)
	}
	p.mu.Lock()
	p.shape[name] = shape
	p.mu.Unlock()
	return name, nil
}

// giveBack empties a schema for the next test, or drops it if the test
// changed its structure (or the emptying failed).
func (p *schemaPool) giveBack(name string) {
	ctx := context.Background()
	// The structure first: the statements that empty the schema are those
	// of its structure after migration.
	err := p.unchanged(ctx, name)
	var wipe string
	if err == nil {
		wipe, err = p.wipeOf(ctx, name)
	}
	if err == nil {
		err = p.empty(ctx, wipe)
	}
	if err == nil {
		_, err = p.admin.ExecContext(ctx, "UPDATE storetest.schemas SET clean = true WHERE name = $1", name)
	}
	if err != nil {
		p.drop(ctx, name)
		return
	}
	p.mu.Lock()
	p.free = append(p.free, name)
	p.mu.Unlock()
}

// unchanged fails if a schema's structure is not as its migration left it.
func (p *schemaPool) unchanged(ctx context.Context, name string) error {
	if p.watched {
		var changed bool
		if err := p.admin.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM storetest.ddl WHERE schema = $1)", name).Scan(&changed); err != nil {
			return err
		}
		if changed {
			return errors.New("structure changed")
		}
		return nil
	}
	now, err := p.structure(ctx, name)
	p.mu.Lock()
	shape := p.shape[name]
	p.mu.Unlock()
	if err == nil && now != shape {
		err = errors.New("structure changed")
	}
	return err
}

// wipeOf returns a schema's wipe statements, read from the catalogs once
// per schema and process.
func (p *schemaPool) wipeOf(ctx context.Context, name string) (string, error) {
	p.mu.Lock()
	wipe, ok := p.wipe[name]
	p.mu.Unlock()
	if ok {
		return wipe, nil
	}
	wipe, err := p.wipeStatements(ctx, name)
	if err != nil {
		return "", err
	}
	p.mu.Lock()
	p.wipe[name] = wipe
	p.mu.Unlock()
	return wipe, nil
}
