package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/bnp/undersigned/frontend"
	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/api"
	"github.com/bnp/undersigned/server/internal/auth"
	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/digest"
	"github.com/bnp/undersigned/server/internal/formtoken"
	"github.com/bnp/undersigned/server/internal/housekeeping"
	"github.com/bnp/undersigned/server/internal/intake"
	"github.com/bnp/undersigned/server/internal/mailqueue"
	"github.com/bnp/undersigned/server/internal/pow"
	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/ratelimit"
	"github.com/bnp/undersigned/server/internal/seed"
	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/translog"
)

func serveCommand(ctx context.Context, console io.Writer) error {
	cfg, err := config.FromOS()
	if err != nil {
		return err
	}
	setupLogging(cfg.LogLevel)
	return serve(ctx, cfg, console, nil)
}

// setupLogging logs JSON lines, or readable text on a terminal.
func setupLogging(level string) {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	var h slog.Handler = slog.NewJSONHandler(os.Stderr, opts)
	if term.IsTerminal(int(os.Stderr.Fd())) {
		h = slog.NewTextHandler(os.Stderr, opts)
	}
	slog.SetDefault(slog.New(h))
}

// serve runs undersigned until ctx ends, then shuts down in reverse order
// within cfg.ShutdownTimeout: stop accepting, let in-flight requests finish,
// stop the workers, close the database. When ready is not nil, it receives
// the listening address once the server accepts connections.
func serve(ctx context.Context, cfg config.Config, console io.Writer, ready chan<- string) error {
	for _, name := range cfg.GeneratedSecrets {
		slog.Warn("secret generated into DATA_DIR; set it in the environment for production and share it between instances", "variable", name, "data_dir", cfg.DataDir)
	}
	st, err := openAndMigrate(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()

	if err := ensureFirstAdmin(ctx, st, cfg, console); err != nil {
		return err
	}
	if loaded, err := seed.LoadIfEmpty(ctx, st, cfg.SeedDemo); err != nil {
		return err
	} else if loaded {
		slog.Info("demo campaign loaded")
	}

	keys := privacy.NewKeys(cfg.DataKey)
	coalition, err := privacy.NewCoalition(cfg.SealRecipients)
	if err != nil {
		return err
	}
	logKeys, err := translog.NewKeys(cfg.LogSigningKey, cfg.LogWitnesses, cfg.PublicURL)
	if err != nil {
		return err
	}
	// Confirmations from before the log existed get their leaves before
	// the first count is served: the public count is the log's count.
	if _, err := st.BackfillLog(ctx); err != nil {
		return err
	}
	catalog, err := mailers.NewCatalog(mailers.Site{ContactEmail: cfg.ContactEmail, SenderName: cfg.MailFrom.Name})
	if err != nil {
		return err
	}
	digests := &digest.Service{Store: st, PublicURL: cfg.PublicURL.String(), Keys: keys, Catalog: catalog}
	queue, closeTransport, err := newMailQueue(cfg, st, catalog, digests)
	if err != nil {
		return err
	}
	defer closeTransport()

	spa, built := frontend.Dist()
	if !built {
		slog.Warn("this binary has no SPA built in: build with `make build` for the web interface")
	}
	counter, spend, closeCounter, err := rateLimitStore(ctx, cfg, st)
	if err != nil {
		return err
	}
	defer closeCounter()
	proofOfWork, err := pow.New(keys.Derive("pow"), cfg.POW, pow.DefaultMaxNumber, pow.DefaultTTL, spend)
	if err != nil {
		return err
	}
	forms, err := formtoken.New(keys.Derive("form"), formtoken.SpendFunc(spend))
	if err != nil {
		return err
	}
	// The intake worker turns accepted signing requests into signatures and
	// their emails; every instance runs one, side by side.
	signIntake := intake.New(st, keys, cfg.PublicURL.String())
	signIntake.Mail = queue
	signIntake.Coalition = coalition
	if cfg.UsesPostgres() {
		signIntake.Workers = 2
	}
	metrics := api.NewMetrics()
	app := api.New(api.Deps{
		Forms:     forms,
		Config:    cfg,
		Store:     st,
		Tokens:    auth.NewTokens(cfg.JWTSecret, cfg.PublicURL.String()),
		Limiter:   ratelimit.New(counter, cfg.RateLimits),
		Keys:      keys,
		Coalition: coalition,
		Hasher:    signIntake.Hasher, // one cache: closing forgets the key for the worker too
		Pow:       proofOfWork,
		Catalog:   catalog,
		Digests:   digests,
		SPA:       spa,
		Mail:      queue,
		Intake:    signIntake,
		Version:   version,
		// Public pages and counts may be a second stale (docs/design.md), so that
		// a crowd reading them costs the database one query a second.
		CacheTTL: time.Second,
		Metrics:  metrics,
		Log:      logKeys,
	})
	stopMetrics, err := serveMetrics(ctx, cfg.MetricsAddr, metrics)
	if err != nil {
		return err
	}
	defer stopMetrics()

	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on LISTEN_ADDR %s: %w", cfg.ListenAddr, err)
	}
	workCtx, stopWork := context.WithCancel(context.Background())
	cleanup := housekeeping.Start(workCtx, st)
	sealingDone := make(chan struct{})
	go func() { defer close(sealingDone); runSealLegacy(workCtx, st, keys, coalition) }()
	scheduler := startScheduler(workCtx, digest.Sender{Digests: digests, Wake: queue.Wake})
	mailDone := make(chan struct{})
	go func() { defer close(mailDone); queue.Run(workCtx) }()
	intakeDone := make(chan struct{})
	go func() { defer close(intakeDone); signIntake.Run(workCtx) }()
	logDone := make(chan struct{})
	appender := &translog.Appender{Store: st, Keys: logKeys}
	go func() { defer close(logDone); appender.Run(workCtx, cfg.LogBatchInterval) }()
	background := func() {
		<-logDone
		<-cleanup
		<-sealingDone
		<-scheduler
		<-mailDone
		<-intakeDone
	}

	served := make(chan error, 1)
	go func() { served <- app.Listener(api.Listener(ln)) }()
	slog.Info("undersigned is serving", "address", ln.Addr().String(), "public_url", cfg.PublicURL.String(), "database", databaseKind(cfg), "mail", mailKind(cfg))
	if ready != nil {
		ready <- ln.Addr().String()
	}

	select {
	case <-ctx.Done():
	case err := <-served:
		stopWork()
		background()
		return fmt.Errorf("http server: %w", err)
	}
	slog.Info("shutting down", "deadline", cfg.ShutdownTimeout)
	deadline := time.Now().Add(cfg.ShutdownTimeout)
	if err := app.ShutdownWithTimeout(cfg.ShutdownTimeout); err != nil {
		slog.Error("http shutdown", "err", err)
	}
	// Workers finish the message in hand and give back the rest.
	stopWork()
	stopped := make(chan struct{})
	go func() { background(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(time.Until(deadline)):
		slog.Error("background work did not stop before the deadline")
	}
	slog.Info("stopped")
	return nil
}

// serveMetrics serves /metrics on METRICS_ADDR, a listener of its own
// (loopback by default): per-route counts are for the operator's
// Prometheus, not for the public. It returns a function that stops it.
func serveMetrics(ctx context.Context, addr string, m *api.Metrics) (func(), error) {
	if addr == "" {
		return func() {}, nil
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on METRICS_ADDR %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("metrics server", "err", err)
		}
	}()
	slog.Info("metrics are served", "address", ln.Addr().String())
	return func() { _ = srv.Close() }, nil
}

// rateLimitStore keeps rate-limit counters and spent challenges in Redis
// when REDIS_URL is set, else in the database; both are shared by every
// instance.
func rateLimitStore(ctx context.Context, cfg config.Config, st *store.Store) (ratelimit.Counter, pow.SpendFunc, func(), error) {
	if cfg.RedisURL == "" {
		return st, st.SpendOnce, func() {}, nil
	}
	r, err := ratelimit.NewRedis(ctx, cfg.RedisURL)
	if err != nil {
		return nil, nil, nil, err
	}
	return r, r.SpendOnce, func() { _ = r.Close() }, nil
}

// newMailQueue sends through SMTP_URL, or into the dev outbox without it.
func newMailQueue(cfg config.Config, st *store.Store, catalog *mailers.Catalog, digests *digest.Service) (*mailqueue.Queue, func(), error) {
	var transport mailers.Transport = mailqueue.Outbox{Store: st}
	closeTransport := func() {}
	if cfg.SMTPURL != nil {
		smtp, err := mailers.NewSMTP(cfg.SMTPURL, cfg.MailFrom.String(), cfg.MailConnections,
			mailers.WithHELO(cfg.SMTPHelo), mailers.WithCAFile(cfg.SMTPCAFile))
		if err != nil {
			return nil, nil, err
		}
		transport, closeTransport = smtp, smtp.Close
	}
	if err := mailqueue.RegisterQueueMetrics(st); err != nil {
		slog.Warn("mail queue metrics not registered", "err", err)
	}
	q := mailqueue.New(st, catalog, transport, mailqueue.Options{Workers: cfg.MailConnections, Rate: cfg.MailRate,
		Expand: digests.Expand, Render: digests.Render})
	return q, closeTransport, nil
}

func openAndMigrate(ctx context.Context, cfg config.Config) (*store.Store, error) {
	st, err := store.OpenWith(ctx, cfg.DatabaseURL, cfg.SQLitePath(), storeOptions(cfg), mailCipher(cfg))
	if err != nil {
		return nil, err
	}
	version, err := st.Migrate(ctx)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	slog.Info("database ready", "database", databaseKind(cfg), "schema_version", version)
	return st, nil
}

// storeOptions are the pool and queue sizes the configuration asks for,
// and the domain of the Message-IDs of the mail the store queues.
func storeOptions(cfg config.Config) store.Options {
	return store.Options{
		MessageDomain: cfg.MessageDomain(),
		MaxOpenConns:  cfg.DBMaxOpenConns, MaxIdleConns: cfg.DBMaxIdleConns,
		QueueMaxOpenConns: cfg.DBQueueMaxOpenConns, IntakeQueue: cfg.IntakeQueue,
		PgBouncer: cfg.PgBouncer,
	}
}

// mailCipher seals the mail queue and the dev outbox with a key derived
// from DATA_KEY: every instance sharing the key can send what another
// queued.
func mailCipher(cfg config.Config) store.Option {
	return store.WithCipher(privacy.NewKeys(cfg.DataKey).Sealer("mail"))
}

func databaseKind(cfg config.Config) string {
	if cfg.UsesPostgres() {
		return "postgres"
	}
	return "sqlite:" + cfg.SQLitePath()
}

func mailKind(cfg config.Config) string {
	if cfg.SMTPURL == nil {
		return "dev outbox"
	}
	return "smtp"
}

// startScheduler sends scheduled digests: it looks every half minute, so a
// Monday 09:00 digest leaves by 09:00:30.
func startScheduler(ctx context.Context, sender digest.Sender) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(30 * time.Second)
		defer tick.Stop()
		for {
			sender.Run(ctx, time.Now())
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return done
}
