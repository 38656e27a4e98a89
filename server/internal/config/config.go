// Package config turns the environment into one validated Config.
//
// Every variable of the configuration (README.md) is read here and nowhere else. A secret may be
// given as NAME or as NAME_FILE (a path whose contents are the value), so that
// orchestrators can mount secrets as files.
package config

import (
	"encoding/hex"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// Config is the whole runtime configuration of undersigned.
type Config struct {
	ListenAddr string
	PublicURL  *url.URL
	// OnionURL is the site's Tor onion service address (nil: none). Pages
	// served on the public address name it in an Onion-Location header;
	// emails link to whichever of the two the person used.
	OnionURL    *url.URL
	DatabaseURL string // empty: embedded SQLite in DataDir
	DataDir     string
	SMTPURL     *url.URL // nil: the dev outbox
	MailFrom    *mail.Address
	// DevOutboxWanted is DEV_OUTBOX=on: the operator accepts the dev
	// outbox on a public (https) PUBLIC_URL.
	DevOutboxWanted bool
	// MetricsAddr is where /metrics is served ("" with METRICS_ADDR=off):
	// a listener of its own, loopback by default, never the public one.
	MetricsAddr string
	// ContactEmail is where people reach the organisers (CONTACT_EMAIL):
	// on the privacy page, in every email's footer, and the Reply-To of
	// digests of campaigns that name no address of their own. Empty: none
	// is shown.
	ContactEmail string

	// MailConnections is how many SMTP connections deliver in parallel.
	MailConnections int
	// MailRate caps messages per second across this instance (0: no cap).
	MailRate float64
	// SMTPHelo is the name the SMTP client greets the server with
	// (SMTP_HELO; default: PUBLIC_URL's host).
	SMTPHelo string
	// SMTPCAFile is a PEM file of CAs trusted for the SMTP server besides
	// the system's (SMTP_CA_FILE).
	SMTPCAFile string

	JWTSecret []byte
	DataKey   []byte // 32 bytes, AES-256-GCM

	// SealRecipients are the coalition's age X25519 public keys (age1…)
	// that signers' kept data is sealed to; the server never holds the
	// matching identity (except the development one in DATA_DIR).
	SealRecipients string
	// DevSealIdentity is the file of the identity generated into DATA_DIR
	// in development ("" when SEAL_RECIPIENTS is set).
	DevSealIdentity string

	// GeneratedSecrets names the secrets that were generated into DataDir
	// because the environment did not give them; main warns about each.
	GeneratedSecrets []string

	AdminEmail    string
	AdminPassword string

	// SeedDemo is nil when unset: seed only an empty database.
	SeedDemo *bool

	RateLimits bool
	POW        bool
	RedisURL   string

	// TrustedProxies are the addresses or CIDR ranges of reverse proxies
	// whose X-Forwarded-For header is believed.
	TrustedProxies []string

	// Database pools and the intake's queue (0: the store's default).
	// DBMaxOpenConns bounds each instance's main pool, DBMaxIdleConns its
	// idle connections, DBQueueMaxOpenConns the mail queue's own PostgreSQL
	// pool; IntakeQueue is how many requests may wait for the intake's
	// group commit before more are refused with 503.
	DBMaxOpenConns      int
	DBMaxIdleConns      int
	DBQueueMaxOpenConns int
	IntakeQueue         int
	// PgBouncer says DATABASE_URL goes through PgBouncer in transaction
	// pooling mode: no named prepared statements, no session settings.
	PgBouncer bool
	// LogSigningKey signs the transparency logs' checkpoints: a signed-note
	// Ed25519 private key, "PRIVATE+KEY+name+hash+key" (issue 15).
	LogSigningKey string
	// LogBatchInterval is how often waiting leaves are appended.
	LogBatchInterval time.Duration
	// LogWitnesses are the cosignature verifier keys ("name+hash+key") of
	// the witnesses whose cosignatures the server accepts and serves.
	LogWitnesses []string

	LogLevel string
	// ShutdownTimeout bounds how long in-flight work may take at shutdown.
	ShutdownTimeout time.Duration
}

// SQLitePath is the embedded database file used when DatabaseURL is empty.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "undersigned.db") }

// UsesPostgres reports whether the production store is configured.
func (c Config) UsesPostgres() bool { return c.DatabaseURL != "" }

// Lookup returns an environment value and whether it is set, like os.LookupEnv.
type Lookup func(name string) (string, bool)

// Load reads the configuration from lookup. It reads NAME_FILE twins from
// disk and generates missing secrets into DATA_DIR. The error names the
// variable at fault in one line.
func Load(lookup Lookup) (Config, error) {
	r := reader{lookup: lookup}
	c := Config{
		ListenAddr:      r.str("LISTEN_ADDR", "127.0.0.1:8080"),
		DatabaseURL:     r.str("DATABASE_URL", ""),
		DataDir:         r.str("DATA_DIR", "./data"),
		AdminEmail:      strings.ToLower(r.str("ADMIN_EMAIL", "")),
		AdminPassword:   r.str("ADMIN_PASSWORD", ""),
		RateLimits:      r.onOff("RATE_LIMITS", true),
		POW:             r.onOff("POW", true),
		RedisURL:        r.str("REDIS_URL", ""),
		DevOutboxWanted: r.onOff("DEV_OUTBOX", false),
		MetricsAddr:     r.str("METRICS_ADDR", "127.0.0.1:9090"),
		LogLevel:        r.oneOf("LOG_LEVEL", "info", "debug", "info", "warn", "error"),
		MailConnections: r.intRange("MAIL_CONNECTIONS", 4, 1, 64),
		MailRate:        r.floatRange("MAIL_RATE", 0, 0, 100000),
		ShutdownTimeout: r.duration("SHUTDOWN_TIMEOUT", 20*time.Second),

		DBMaxOpenConns:      r.intRange("DB_MAX_OPEN_CONNS", 0, 0, 1000),
		DBMaxIdleConns:      r.intRange("DB_MAX_IDLE_CONNS", 0, 0, 1000),
		DBQueueMaxOpenConns: r.intRange("DB_QUEUE_MAX_OPEN_CONNS", 0, 0, 1000),
		IntakeQueue:         r.intRange("INTAKE_QUEUE", 0, 0, 1000000),
		PgBouncer:           r.onOff("DB_PGBOUNCER", false),
		LogBatchInterval:    r.duration("LOG_BATCH_INTERVAL", 10*time.Minute),
	}
	c.PublicURL = r.httpURL("PUBLIC_URL", "http://localhost:8080")
	c.OnionURL = r.onionURL("ONION_URL")
	c.SMTPURL = r.smtpURL("SMTP_URL")
	c.MailFrom = r.address("MAIL_FROM", "undersigned <no-reply@localhost>")
	if c.PublicURL != nil {
		c.SMTPHelo = r.str("SMTP_HELO", c.PublicURL.Hostname())
	}
	c.SMTPCAFile = r.str("SMTP_CA_FILE", "")
	r.check("SMTP_HELO", validHELO(c.SMTPHelo))
	r.check("SMTP_CA_FILE", validCAFile(c.SMTPCAFile))
	if v := r.str("CONTACT_EMAIL", ""); v != "" {
		a, err := mail.ParseAddress(v)
		if err != nil || a.Name != "" {
			r.fail("CONTACT_EMAIL", "must be a bare address such as team@example.org")
		} else {
			c.ContactEmail = strings.ToLower(a.Address)
		}
	}
	c.SeedDemo = r.optionalBool("SEED_DEMO")
	c.TrustedProxies = r.addressList("TRUSTED_PROXIES")
	c.LogWitnesses = r.witnessKeys("LOG_WITNESSES")
	r.check("LISTEN_ADDR", validListenAddr(c.ListenAddr))
	r.check("DATABASE_URL", validDatabaseURL(c.DatabaseURL))
	r.check("REDIS_URL", validRedisURL(c.RedisURL))
	if strings.EqualFold(c.MetricsAddr, "off") {
		c.MetricsAddr = ""
	} else {
		r.check("METRICS_ADDR", validListenAddr(c.MetricsAddr))
	}
	// Without SMTP_URL every email, with signers' addresses, names and live
	// links, is kept in the database for admins to read: fine on a laptop,
	// not on a public site unless the operator says so.
	switch {
	case c.SMTPURL != nil && c.DevOutboxWanted:
		r.fail("DEV_OUTBOX", "is for running without SMTP_URL; unset one of them")
	case c.SMTPURL == nil && c.PublicURL.Scheme == "https" && !c.DevOutboxWanted:
		r.fail("SMTP_URL", "is needed with an https PUBLIC_URL (set DEV_OUTBOX=on to keep mail in the dev outbox instead)")
	}
	if c.AdminEmail != "" {
		if a, err := mail.ParseAddress(c.AdminEmail); err != nil || a.Address != c.AdminEmail {
			r.fail("ADMIN_EMAIL", "is not a bare email address (no name, no angle brackets)")
		}
	}
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		r.fail("ADMIN_PASSWORD", "ADMIN_EMAIL and ADMIN_PASSWORD go together")
	}
	if c.AdminPassword != "" && utf8.RuneCountInString(c.AdminPassword) < MinPasswordLength {
		r.fail("ADMIN_PASSWORD", fmt.Sprintf("must be at least %d characters", MinPasswordLength))
	}
	if r.err != nil {
		return Config{}, r.err
	}

	// Production never reads or generates keys beside the data: a copy of
	// DATA_DIR must not carry what opens it (docs/key-custody.md).
	r.production = c.Production()
	jwtSecret, jwtGenerated := r.secret("JWT_SECRET", c.DataDir, validJWTSecret, newJWTSecret)
	dataKey, keyGenerated := r.secret("DATA_KEY", c.DataDir, validDataKey, newDataKey)
	logKey, logKeyGenerated := r.secret("LOG_SIGNING_KEY", c.DataDir, validLogSigningKey, newLogSigningKey(LogKeyName(c.PublicURL)))
	if r.err != nil {
		return Config{}, r.err
	}
	c.LogSigningKey = logKey
	c.JWTSecret = []byte(jwtSecret)
	c.DataKey, _ = hex.DecodeString(dataKey)
	if jwtGenerated {
		c.GeneratedSecrets = append(c.GeneratedSecrets, "JWT_SECRET")
	}
	if keyGenerated {
		c.GeneratedSecrets = append(c.GeneratedSecrets, "DATA_KEY")
	}
	if logKeyGenerated {
		c.GeneratedSecrets = append(c.GeneratedSecrets, "LOG_SIGNING_KEY")
	}
	c.SealRecipients, c.DevSealIdentity = r.sealRecipients(c.DataDir)
	if r.err != nil {
		return Config{}, r.err
	}
	if c.DevSealIdentity != "" {
		c.GeneratedSecrets = append(c.GeneratedSecrets, "SEAL_RECIPIENTS")
	}
	return c, nil
}

// validHELO accepts a host name or address literal, as EHLO takes it.
func validHELO(name string) string {
	if name == "" || len(name) > 255 || strings.ContainsAny(name, " \t\r\n") {
		return "must be a host name (it greets the SMTP server)"
	}
	return ""
}

// validCAFile accepts no file, or a readable file of PEM certificates.
func validCAFile(path string) string {
	if path == "" {
		return ""
	}
	b, err := os.ReadFile(path) //nolint:gosec // the operator's own setting
	if err != nil {
		return "cannot be read: " + err.Error()
	}
	if !strings.Contains(string(b), "-----BEGIN CERTIFICATE-----") {
		return "holds no PEM certificate"
	}
	return ""
}

// MinPasswordLength is the shortest staff password accepted anywhere.
const MinPasswordLength = 12

// FromOS loads the configuration from the process environment.
func FromOS() (Config, error) { return Load(os.LookupEnv) }

func validListenAddr(v string) string {
	if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
		return "must be host:port, for example 127.0.0.1:8080"
	}
	return ""
}

func validDatabaseURL(v string) string {
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return "must be a postgres://user@host/db URL (leave unset for embedded SQLite)"
	}
	return ""
}

func validRedisURL(v string) string {
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return "must be a redis://host:6379 URL"
	}
	return ""
}

func validJWTSecret(v string) string {
	if len(v) < 32 {
		return "must be at least 32 characters"
	}
	return ""
}

func validDataKey(v string) string {
	if b, err := hex.DecodeString(v); err != nil || len(b) != 32 {
		return "must be 64 hexadecimal characters (32 bytes)"
	}
	return ""
}

// MessageDomain is the right half of every Message-ID: the domain of
// MAIL_FROM.
func (c Config) MessageDomain() string {
	_, domain, _ := strings.Cut(c.MailFrom.Address, "@")
	return domain
}

// Production reports whether this instance serves the public: PUBLIC_URL
// names a host other than this machine's loopback, whatever its scheme (an
// onion service is http, and plain http on a real host is a mistake, not
// development). Production refuses to keep keys in DATA_DIR.
func (c Config) Production() bool {
	if c.PublicURL == nil {
		return false
	}
	h := strings.ToLower(c.PublicURL.Hostname())
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return false
	}
	if ip, err := netip.ParseAddr(h); err == nil && ip.IsLoopback() {
		return false
	}
	return true
}

// DevOutbox reports whether mail goes to the dev outbox (no SMTP_URL).
func (c Config) DevOutbox() bool { return c.SMTPURL == nil }
