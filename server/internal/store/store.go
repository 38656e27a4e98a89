// Package store is the only package that talks to the database. It opens
// PostgreSQL or the embedded SQLite file behind one API, applies the embedded
// migrations, and offers one file of methods per aggregate. It knows nothing
// of HTTP.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ncruces/go-sqlite3/gormlite"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/bnp/undersigned/migrations"
)

// Errors the rest of the program may test for with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
)

// Store is a handle on the database, safe for concurrent use.
type Store struct {
	db       *gorm.DB
	sqlDB    *sql.DB
	postgres bool
	// queue is the mail queue's bookkeeping: on PostgreSQL a small pool of
	// its own whose commits do not wait for the disk (see openQueuePool).
	queue      *gorm.DB
	queueSQLDB *sql.DB
	// intake group-commits signing requests (see AcceptIntake).
	intake *intakeBatcher
	// confirms group-commits confirmations (see ConfirmSignature).
	confirms *confirmBatcher
	// pgbouncer: see Options.PgBouncer.
	pgbouncer bool
	// ready remembers readiness checks (see Ready).
	ready readiness
	// cipher seals the mail queue's personal data (see WithCipher).
	cipher Cipher
	// messageDomain: see Options.MessageDomain.
	messageDomain string
}

// Options tune the store's pools and queues and name its message domain; a
// zero field takes its default.
type Options struct {
	// MessageDomain is the right half of the Message-ID of every email the
	// store queues: the domain of MAIL_FROM (default localhost, as the
	// default MAIL_FROM's).
	MessageDomain string
	// MaxOpenConns bounds the main pool (default 32 on PostgreSQL, 8 on
	// SQLite); MaxIdleConns defaults to it.
	MaxOpenConns int
	MaxIdleConns int
	// QueueMaxOpenConns bounds the mail queue's own PostgreSQL pool
	// (default 16).
	QueueMaxOpenConns int
	// IntakeQueue is how many signing requests may wait for the group
	// commit before more are refused with ErrBusy (default 1024).
	IntakeQueue int
	// IntakeWriters is how many group commits may run at once, each of
	// signing requests and of confirmations (default 4
	// on PostgreSQL, 1 on SQLite, which has one writer anyway).
	IntakeWriters int
	// PgBouncer says the PostgreSQL URL goes through PgBouncer in
	// transaction pooling mode, where a server connection serves one
	// transaction at a time: statements are sent without named prepared
	// statements, no setting is made per session (the mail queue's
	// synchronous_commit=off is dropped: its marks stay durable, only
	// slower), and migrations take no session lock (run `undersigned
	// migrate` once per release, or against the server directly).
	PgBouncer bool
}

// withDefaults fills in the zero fields.
func (o Options) withDefaults(postgres bool) Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if postgres {
		def(&o.MaxOpenConns, 32)
		def(&o.IntakeWriters, 4)
	} else {
		// Each SQLite connection is a WebAssembly instance: a handful is
		// plenty, since SQLite takes one writer at a time anyway.
		def(&o.MaxOpenConns, 8)
		def(&o.IntakeWriters, 1)
	}
	def(&o.MaxIdleConns, o.MaxOpenConns)
	def(&o.QueueMaxOpenConns, 16)
	def(&o.IntakeQueue, 1024)
	if o.MessageDomain == "" {
		o.MessageDomain = "localhost"
	}
	return o
}

// intakeMaxBatch bounds one group commit: 4 parameters a row stays far
// below either database's limit on bound parameters.
const intakeMaxBatch = 256

// sqliteTimeFormat is fixed-width for UTC times, so that SQLite compares
// stored times as text in the right order; it also reads SQLite's own
// datetime('now') text, which goose writes.
const sqliteTimeFormat = "2006-01-02 15:04:05.000Z07:00"

// Open connects to PostgreSQL when databaseURL is set, otherwise to the
// embedded SQLite file at sqlitePath (created with its folder if needed).
func Open(ctx context.Context, databaseURL, sqlitePath string, with ...Option) (*Store, error) {
	return OpenWith(ctx, databaseURL, sqlitePath, Options{}, with...)
}

// OpenWith is Open with pool and queue sizes other than the defaults.
func OpenWith(ctx context.Context, databaseURL, sqlitePath string, opts Options, with ...Option) (*Store, error) {
	var (
		dialector gorm.Dialector
		isPG      = databaseURL != ""
	)
	if isPG {
		dsn, err := postgresDSN(databaseURL, opts.PgBouncer)
		if err != nil {
			return nil, err
		}
		dialector = postgres.Open(dsn)
	} else {
		if err := os.MkdirAll(filepath.Dir(sqlitePath), 0o700); err != nil {
			return nil, fmt.Errorf("store: create data folder: %w", err)
		}
		dialector = gormlite.Open(sqliteDSN(sqlitePath))
	}
	db, err := gorm.Open(dialector, &gorm.Config{
		Logger:                 logger.Discard,
		TranslateError:         true,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return now() },
	})
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	opts = opts.withDefaults(isPG)
	sqlDB.SetMaxOpenConns(opts.MaxOpenConns)
	sqlDB.SetMaxIdleConns(opts.MaxIdleConns)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{db: db, sqlDB: sqlDB, postgres: isPG, queue: db, pgbouncer: opts.PgBouncer,
		messageDomain: opts.MessageDomain}
	for _, o := range with {
		o(s)
	}
	if err := s.Ping(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	if isPG {
		if err := s.openQueuePool(databaseURL, opts.QueueMaxOpenConns); err != nil {
			_ = sqlDB.Close()
			return nil, err
		}
	}
	s.intake = newIntakeBatcher(db, opts.IntakeWriters, opts.IntakeQueue, intakeMaxBatch)
	s.confirms = newConfirmBatcher(s, opts.IntakeWriters, opts.IntakeQueue)
	return s, nil
}

// openQueuePool opens the pool the mail queue claims and marks messages
// with, with synchronous_commit off: a mark is acknowledged once PostgreSQL
// has it in memory, not on disk. If the application dies, PostgreSQL still
// writes it; only if PostgreSQL itself crashes can the last fraction of a
// second of marks be lost, and then those messages are sent again: a
// duplicate, never a loss. In exchange one worker is not held to one disk
// flush per message. The writes that cause mail keep full durability.
func (s *Store) openQueuePool(databaseURL string, maxOpen int) error {
	dsn, err := postgresDSN(databaseURL, s.pgbouncer)
	if err != nil {
		return err
	}
	u, _ := url.Parse(dsn)
	if !s.pgbouncer {
		q := u.Query()
		q.Set("synchronous_commit", "off")
		u.RawQuery = q.Encode()
	}
	db, err := gorm.Open(postgres.Open(u.String()), &gorm.Config{
		Logger: logger.Discard, TranslateError: true, SkipDefaultTransaction: true,
		NowFunc: func() time.Time { return now() },
	})
	if err != nil {
		return fmt.Errorf("store: open queue pool: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("store: open queue pool: %w", err)
	}
	sqlDB.SetMaxOpenConns(maxOpen)
	sqlDB.SetMaxIdleConns(maxOpen)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	s.queue, s.queueSQLDB = db, sqlDB
	return nil
}

// sqliteDSN enables write-ahead logging, foreign keys and a busy timeout, and
// begins transactions IMMEDIATE so that read-then-write transactions queue
// for the write lock instead of failing midway.
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(wal)")
	q.Add("_pragma", "foreign_keys(on)")
	q.Add("_pragma", "synchronous(normal)")
	q.Add("_pragma", "secure_delete(on)")
	q.Set("_txlock", "immediate")
	q.Set("_timefmt", sqliteTimeFormat)
	// url.URL escapes what would end the path early in a URI, such as "#"
	// or "?" in a folder's name. The path is made absolute first: a
	// relative one ("data/undersigned.db", from the default DATA_DIR) would
	// be read as the URI's host.
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}).String()
}

// postgresDSN pins the session time zone to UTC, which the TIMESTAMP
// columns assume (PgBouncer keeps TimeZone per client, so this survives
// transaction pooling). Behind PgBouncer, statements go without named
// prepared statements (pgx's "exec" mode: one round trip, an unnamed
// statement), which transaction pooling would hand to the wrong server
// connection.
func postgresDSN(databaseURL string, pgbouncer bool) (string, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", fmt.Errorf("store: DATABASE_URL: %w", err)
	}
	q := u.Query()
	q.Set("timezone", "UTC")
	if pgbouncer {
		q.Set("default_query_exec_mode", "exec")
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// now is the one clock of the store: UTC, to the millisecond, as both
// databases keep it.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := s.sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close writes what waits in the intake, then closes every connection.
func (s *Store) Close() error {
	s.intake.close()
	s.confirms.close()
	if s.queueSQLDB != nil {
		_ = s.queueSQLDB.Close()
	}
	return s.sqlDB.Close()
}

func (s *Store) migrator() (*goose.Provider, error) {
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if s.postgres {
		dialect = goose.DialectPostgres
	}
	if s.postgres && !s.pgbouncer {
		// Several instances may start at once: one migrates, the others wait.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, fmt.Errorf("store: migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, s.sqlDB, migrations.FS, opts...)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration and returns the schema version.
func (s *Store) Migrate(ctx context.Context) (int64, error) {
	p, err := s.migrator()
	if err != nil {
		return 0, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: migrate: %w", err)
	}
	for _, r := range results {
		slog.Info("migration applied", "version", r.Source.Version, "duration", r.Duration)
	}
	if err := s.sealLegacyMail(ctx); err != nil {
		return 0, err
	}
	if err := s.tuneMailQueue(ctx); err != nil {
		return 0, err
	}
	if err := s.sealLegacyContacts(ctx); err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}

// SchemaCurrent reports whether every embedded migration has been applied.
func (s *Store) SchemaCurrent(ctx context.Context) (bool, error) {
	p, err := s.migrator()
	if err != nil {
		return false, err
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return false, fmt.Errorf("store: schema version: %w", err)
	}
	return current >= target, nil
}

// conn returns the database bound to ctx.
func (s *Store) conn(ctx context.Context) *gorm.DB { return s.db.WithContext(ctx) }

// translate maps GORM's errors onto the store's own, once.
func translate(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("store: %s: %w", op, ErrNotFound)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("store: %s: %w", op, ErrConflict)
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		// The row referred to is gone (a campaign deleted a moment ago while
		// a cached copy still served the form): for the caller, not found.
		return fmt.Errorf("store: %s: %w", op, ErrNotFound)
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// Exec runs one statement outside any aggregate: for tests (storetest makes
// schemas with it), the bench (server/cmd/bench) and operations tooling;
// never for request handling.
func (s *Store) Exec(ctx context.Context, sql string, args ...any) error {
	return translate("exec", s.conn(ctx).Exec(sql, args...).Error)
}

// Raw runs one query and scans its single value into dest, for tests and
// maintenance commands.
func (s *Store) Raw(ctx context.Context, dest any, sql string, args ...any) error {
	return translate("raw", s.conn(ctx).Raw(sql, args...).Row().Scan(dest))
}

// QueryStrings runs one query whose rows are a single text column and
// returns them: for tests and operations tooling, never for request
// handling.
func (s *Store) QueryStrings(ctx context.Context, sql string, args ...any) ([]string, error) {
	var out []string
	err := s.conn(ctx).Raw(sql, args...).Scan(&out).Error
	return out, translate("query", err)
}

// CountRows counts the rows of a table: for tests and operations tooling.
func (s *Store) CountRows(ctx context.Context, table string) (int64, error) {
	var n int64
	err := s.conn(ctx).Table(table).Count(&n).Error
	return n, translate("count rows", err)
}

// CountWhere counts the rows of a table matching a condition: for tests and
// operations tooling.
func (s *Store) CountWhere(ctx context.Context, table, condition string, args ...any) (int64, error) {
	var n int64
	err := s.conn(ctx).Table(table).Where(condition, args...).Count(&n).Error
	return n, translate("count rows", err)
}

// HoldWrites blocks every write to table until release is called: on
// PostgreSQL with a table lock, on SQLite by holding the one write lock.
// For tests of what waits on a slow database; never for request handling.
func (s *Store) HoldWrites(ctx context.Context, table string) (release func(), err error) {
	tx := s.conn(ctx).Begin()
	if tx.Error != nil {
		return nil, translate("hold writes", tx.Error)
	}
	if s.postgres {
		err = tx.Exec("LOCK TABLE " + table + " IN EXCLUSIVE MODE").Error
	} else {
		// BEGIN IMMEDIATE (see sqliteDSN) took the write lock already; a
		// read makes sure the transaction really began.
		err = tx.Exec("SELECT count(*) FROM " + table).Error
	}
	if err != nil {
		tx.Rollback()
		return nil, translate("hold writes", err)
	}
	var once sync.Once
	return func() { once.Do(func() { tx.Rollback() }) }, nil
}

// Checkpoint folds SQLite's write-ahead log into the database and truncates
// it, so that rows the privacy rules have already erased do not linger in
// old log frames (freed pages are zeroed by secure_delete). On PostgreSQL
// it does nothing: VACUUM is the server's business.
func (s *Store) Checkpoint(ctx context.Context) error {
	if s.postgres {
		return nil
	}
	return translate("checkpoint", s.conn(ctx).Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error)
}
