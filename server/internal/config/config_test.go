package config_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/config"
)

// env is a fake environment for config.Load.
func env(vars map[string]string) config.Lookup {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

// goodSecrets spares a test the generation of secrets into DATA_DIR.
// testLogKey is a signed-note key made for these tests only.
const testLogKey = "PRIVATE+KEY+example.org/log+e23b8854+AdHNyBb4nck/Aa1R1R/AusSnvUZPRIB9q3UlANK8ktzS"

func goodSecrets(t *testing.T, vars map[string]string) map[string]string {
	t.Helper()
	out := map[string]string{"DATA_DIR": t.TempDir(), "JWT_SECRET": strings.Repeat("j", 32), "DATA_KEY": strings.Repeat("0f", 32),
		"LOG_SIGNING_KEY": testLogKey, "SEAL_RECIPIENTS": testRecipient}
	for k, v := range vars {
		out[k] = v
	}
	return out
}

func TestDefaultsWithNothingSet(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir) // DATA_DIR defaults to ./data
	cfg, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ListenAddr != "127.0.0.1:8080" || cfg.PublicURL.String() != "http://localhost:8080" ||
		cfg.DatabaseURL != "" || cfg.UsesPostgres() || cfg.DataDir != "./data" || cfg.SMTPURL != nil {
		t.Errorf("addresses: listen %q, public %v, database %q, data %q, smtp %v",
			cfg.ListenAddr, cfg.PublicURL, cfg.DatabaseURL, cfg.DataDir, cfg.SMTPURL)
	}
	if cfg.MailFrom.Name != "undersigned" || cfg.MailFrom.Address != "no-reply@localhost" {
		t.Errorf("MailFrom = %v", cfg.MailFrom)
	}
	if !cfg.RateLimits || !cfg.POW || cfg.SeedDemo != nil || cfg.RedisURL != "" || cfg.AdminEmail != "" || len(cfg.TrustedProxies) != 0 {
		t.Errorf("switches: rate limits %v, pow %v, seed %v, redis %q, admin %q, proxies %v",
			cfg.RateLimits, cfg.POW, cfg.SeedDemo, cfg.RedisURL, cfg.AdminEmail, cfg.TrustedProxies)
	}
	if cfg.MailConnections != 4 || cfg.ShutdownTimeout != 20*time.Second || cfg.LogLevel != "info" {
		t.Errorf("mail connections %d, shutdown %v, log %q", cfg.MailConnections, cfg.ShutdownTimeout, cfg.LogLevel)
	}
	if cfg.SQLitePath() != filepath.Join("data", "undersigned.db") {
		t.Errorf("SQLitePath = %q", cfg.SQLitePath())
	}

	// Both secrets were generated into DATA_DIR, readable by the owner only.
	if strings.Join(cfg.GeneratedSecrets, ",") != "JWT_SECRET,DATA_KEY,LOG_SIGNING_KEY,SEAL_RECIPIENTS" {
		t.Errorf("GeneratedSecrets = %v", cfg.GeneratedSecrets)
	}
	if len(cfg.JWTSecret) < 32 || len(cfg.DataKey) != 32 {
		t.Errorf("secret sizes: JWT %d, data key %d", len(cfg.JWTSecret), len(cfg.DataKey))
	}
	for _, name := range []string{"jwt_secret", "data_key"} {
		fi, err := os.Stat(filepath.Join(dir, "data", name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "data")); err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("DATA_DIR is open to others: %v %v", fi.Mode(), err)
	}

	// A second start reuses them: tokens and stored emails stay readable.
	again, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.JWTSecret, cfg.JWTSecret) || !bytes.Equal(again.DataKey, cfg.DataKey) || again.SealRecipients != cfg.SealRecipients {
		t.Error("a second Load generated new secrets instead of reusing the stored ones")
	}
}

func TestSecretsFromTheEnvironmentAreNotGenerated(t *testing.T) {
	t.Parallel()
	vars := goodSecrets(t, nil)
	cfg, err := config.Load(env(vars))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.GeneratedSecrets) != 0 || string(cfg.JWTSecret) != vars["JWT_SECRET"] || len(cfg.DataKey) != 32 || cfg.DataKey[0] != 0x0f {
		t.Errorf("generated %v, JWT %q, key %x", cfg.GeneratedSecrets, cfg.JWTSecret, cfg.DataKey)
	}
	if entries, _ := os.ReadDir(vars["DATA_DIR"]); len(entries) != 0 {
		t.Errorf("DATA_DIR got files: %v", entries)
	}
}

func TestInvalidValuesNameTheVariable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		vars  map[string]string
		names string // the variable the message must name
	}{
		{"listen address without a port", map[string]string{"LISTEN_ADDR": "localhost"}, "LISTEN_ADDR"},
		{"listen address a word", map[string]string{"LISTEN_ADDR": "everywhere"}, "LISTEN_ADDR"},
		{"public URL of another scheme", map[string]string{"PUBLIC_URL": "ftp://sign.example.org"}, "PUBLIC_URL"},
		{"public URL without a host", map[string]string{"PUBLIC_URL": "https://"}, "PUBLIC_URL"},
		{"public URL with a query", map[string]string{"PUBLIC_URL": "https://sign.example.org/?a=b"}, "PUBLIC_URL"},
		{"database URL of MySQL", map[string]string{"DATABASE_URL": "mysql://root@db/undersigned"}, "DATABASE_URL"},
		{"database URL a path", map[string]string{"DATABASE_URL": "/var/lib/undersigned.db"}, "DATABASE_URL"},
		{"SMTP URL over http", map[string]string{"SMTP_URL": "http://mail.example.org"}, "SMTP_URL"},
		{"SMTP URL without a host", map[string]string{"SMTP_URL": "smtp://"}, "SMTP_URL"},
		{"SMTP URL with an unknown tls", map[string]string{"SMTP_URL": "smtp://mail.example.org:25?tls=maybe"}, "SMTP_URL"},
		{"sender not an address", map[string]string{"MAIL_FROM": "undersigned"}, "MAIL_FROM"},
		{"rate limits maybe", map[string]string{"RATE_LIMITS": "maybe"}, "RATE_LIMITS"},
		{"pow maybe", map[string]string{"POW": "sometimes"}, "POW"},
		{"seed demo maybe", map[string]string{"SEED_DEMO": "perhaps"}, "SEED_DEMO"},
		{"JWT secret too short", map[string]string{"JWT_SECRET": strings.Repeat("j", 31)}, "JWT_SECRET"},
		{"data key too short", map[string]string{"DATA_KEY": strings.Repeat("ab", 31)}, "DATA_KEY"},
		{"data key not hex", map[string]string{"DATA_KEY": strings.Repeat("zz", 32)}, "DATA_KEY"},
		{"admin email without password", map[string]string{"ADMIN_EMAIL": "boss@example.org"}, "ADMIN_PASSWORD"},
		{"admin password without email", map[string]string{"ADMIN_PASSWORD": "a long enough password"}, "ADMIN_EMAIL"},
		{"admin email not an address", map[string]string{"ADMIN_EMAIL": "boss", "ADMIN_PASSWORD": "a long enough password"}, "ADMIN_EMAIL"},
		{"admin email with a display name", map[string]string{"ADMIN_EMAIL": "Boss <boss@example.org>", "ADMIN_PASSWORD": "a long enough password"}, "ADMIN_EMAIL"},
		{"admin password too short", map[string]string{"ADMIN_EMAIL": "boss@example.org", "ADMIN_PASSWORD": "short"}, "ADMIN_PASSWORD"},
		{"mail connections zero", map[string]string{"MAIL_CONNECTIONS": "0"}, "MAIL_CONNECTIONS"},
		{"mail connections a word", map[string]string{"MAIL_CONNECTIONS": "four"}, "MAIL_CONNECTIONS"},
		{"mail connections too many", map[string]string{"MAIL_CONNECTIONS": "65"}, "MAIL_CONNECTIONS"},
		{"trusted proxy a host name", map[string]string{"TRUSTED_PROXIES": "10.0.0.1, proxy.local"}, "TRUSTED_PROXIES"},
		{"trusted proxy a bad range", map[string]string{"TRUSTED_PROXIES": "10.0.0.0/33"}, "TRUSTED_PROXIES"},
		{"redis URL of another scheme", map[string]string{"REDIS_URL": "http://cache:6379"}, "REDIS_URL"},
		{"https site with the dev outbox", map[string]string{"PUBLIC_URL": "https://sign.example.org"}, "SMTP_URL"},
		{"dev outbox beside SMTP", map[string]string{"SMTP_URL": "smtp://mail.example.org:25", "DEV_OUTBOX": "on"}, "DEV_OUTBOX"},
		{"dev outbox maybe", map[string]string{"DEV_OUTBOX": "maybe"}, "DEV_OUTBOX"},
		{"metrics address a word", map[string]string{"METRICS_ADDR": "everywhere"}, "METRICS_ADDR"},
		{"shutdown timeout without a unit", map[string]string{"SHUTDOWN_TIMEOUT": "20"}, "SHUTDOWN_TIMEOUT"},
		{"log level unknown", map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Load(env(goodSecrets(t, tc.vars)))
			wantOneLineNaming(t, err, tc.names)
		})
	}
}

// wantOneLineNaming checks that err is the one clear line the configuration promises.
func wantOneLineNaming(t *testing.T, err error, name string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Load accepted it; want an error naming %s", name)
	}
	msg := err.Error()
	if !strings.Contains(msg, name) {
		t.Errorf("error %q does not name %s", msg, name)
	}
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("error is not one line: %q", msg)
	}
}

func TestValidValuesAreRead(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(env(goodSecrets(t, map[string]string{
		"LISTEN_ADDR":      ":9000",
		"PUBLIC_URL":       "https://sign.example.org/",
		"DATABASE_URL":     "postgres://u@db:5432/undersigned",
		"SMTP_URL":         "smtps://u:p@mail.example.org:465",
		"MAIL_FROM":        "BNP <petitions@example.org>",
		"RATE_LIMITS":      "off",
		"POW":              "OFF",
		"SEED_DEMO":        "false",
		"ADMIN_EMAIL":      "Boss@Example.org",
		"ADMIN_PASSWORD":   "a long enough password",
		"MAIL_CONNECTIONS": "16",
		"TRUSTED_PROXIES":  "10.0.0.0/8, 192.168.1.1,,::1",
	})))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ListenAddr != ":9000" || cfg.PublicURL.String() != "https://sign.example.org" || !cfg.UsesPostgres() ||
		cfg.SMTPURL.Hostname() != "mail.example.org" || cfg.MailFrom.Address != "petitions@example.org" {
		t.Errorf("addresses: %q %v %q %v %v", cfg.ListenAddr, cfg.PublicURL, cfg.DatabaseURL, cfg.SMTPURL, cfg.MailFrom)
	}
	if cfg.RateLimits || cfg.POW || cfg.SeedDemo == nil || *cfg.SeedDemo || cfg.AdminEmail != "boss@example.org" || cfg.MailConnections != 16 {
		t.Errorf("switches: %v %v %v %q %d", cfg.RateLimits, cfg.POW, cfg.SeedDemo, cfg.AdminEmail, cfg.MailConnections)
	}
	if strings.Join(cfg.TrustedProxies, " ") != "10.0.0.0/8 192.168.1.1 ::1" {
		t.Errorf("TrustedProxies = %q", cfg.TrustedProxies)
	}
}

func TestFileTwins(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	secret := strings.Repeat("f", 40)
	vars := map[string]string{
		"DATA_DIR":             t.TempDir(),
		"JWT_SECRET_FILE":      write("jwt", secret+"\n"),
		"DATA_KEY_FILE":        write("key", strings.Repeat("1a", 32)+"\n"),
		"DATABASE_URL_FILE":    write("db", "postgres://u:secret@db/undersigned\n"),
		"ADMIN_EMAIL":          "boss@example.org",
		"ADMIN_PASSWORD_FILE":  write("pw", "a long enough password\n"),
		"LOG_SIGNING_KEY":      testLogKey,
		"SEAL_RECIPIENTS_FILE": write("recipients", "# the coalition\n"+testRecipient+"\n"),
	}
	cfg, err := config.Load(env(vars))
	if err != nil {
		t.Fatal(err)
	}
	if string(cfg.JWTSecret) != secret || cfg.DataKey[0] != 0x1a || cfg.DatabaseURL != "postgres://u:secret@db/undersigned" ||
		cfg.AdminPassword != "a long enough password" || len(cfg.GeneratedSecrets) != 0 {
		t.Errorf("from files: JWT %q, key %x, database %q, admin password %q, generated %v",
			cfg.JWTSecret, cfg.DataKey, cfg.DatabaseURL, cfg.AdminPassword, cfg.GeneratedSecrets)
	}

	t.Run("both set", func(t *testing.T) {
		both := goodSecrets(t, map[string]string{"JWT_SECRET_FILE": vars["JWT_SECRET_FILE"]})
		_, err := config.Load(env(both))
		wantOneLineNaming(t, err, "JWT_SECRET_FILE")
	})
	t.Run("file missing", func(t *testing.T) {
		missing := goodSecrets(t, map[string]string{"SMTP_URL_FILE": filepath.Join(dir, "nope")})
		_, err := config.Load(env(missing))
		wantOneLineNaming(t, err, "SMTP_URL_FILE")
	})
	t.Run("invalid value in a file", func(t *testing.T) {
		bad := goodSecrets(t, nil)
		delete(bad, "DATA_KEY")
		bad["DATA_KEY_FILE"] = write("badkey", "not hex\n")
		_, err := config.Load(env(bad))
		wantOneLineNaming(t, err, "DATA_KEY")
	})
}

func TestGeneratedSecretThatWasTamperedWithIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "data_key"), []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := config.Load(env(map[string]string{"DATA_DIR": dir, "JWT_SECRET": strings.Repeat("j", 32)}))
	wantOneLineNaming(t, err, "DATA_KEY")
}

// An https site without SMTP_URL runs only when the operator wants the dev
// outbox (issue 11, hole 7); /metrics listens on loopback unless told
// otherwise (hole 8).
func TestDevOutboxAndMetricsAddress(t *testing.T) {
	cfg, err := config.Load(env(goodSecrets(t, map[string]string{"PUBLIC_URL": "https://sign.example.org", "DEV_OUTBOX": "on"})))
	if err != nil || !cfg.DevOutbox() || !cfg.DevOutboxWanted {
		t.Fatalf("DEV_OUTBOX=on on https: %v, outbox %v", err, cfg.DevOutbox())
	}
	if cfg.MetricsAddr != "127.0.0.1:9090" {
		t.Errorf("MetricsAddr = %q, want loopback by default", cfg.MetricsAddr)
	}
	cfg, err = config.Load(env(goodSecrets(t, map[string]string{"PUBLIC_URL": "http://localhost:8080", "METRICS_ADDR": "off"})))
	if err != nil || !cfg.DevOutbox() || cfg.MetricsAddr != "" {
		t.Fatalf("plain http without SMTP: %v, outbox %v, metrics %q", err, cfg.DevOutbox(), cfg.MetricsAddr)
	}
}

// TestSMTPGreetingAndCA: the greeting name defaults to PUBLIC_URL's host
// (not the machine's name); SMTP_CA_FILE must be a readable PEM file.
func TestSMTPGreetingAndCA(t *testing.T) {
	cfg, err := config.Load(env(goodSecrets(t, map[string]string{"PUBLIC_URL": "https://sign.example.org:8443/", "SMTP_URL": "smtp://relay.example.org:587"})))
	if err != nil || cfg.SMTPHelo != "sign.example.org" || cfg.SMTPCAFile != "" {
		t.Fatalf("defaults: helo %q, CA %q, %v", cfg.SMTPHelo, cfg.SMTPCAFile, err)
	}
	dir := t.TempDir()
	pem := filepath.Join(dir, "relay-ca.pem")
	if err := os.WriteFile(pem, []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err = config.Load(env(goodSecrets(t, map[string]string{"SMTP_HELO": "mx.example.org", "SMTP_CA_FILE": pem})))
	if err != nil || cfg.SMTPHelo != "mx.example.org" || cfg.SMTPCAFile != pem {
		t.Fatalf("set: helo %q, CA %q, %v", cfg.SMTPHelo, cfg.SMTPCAFile, err)
	}
	notPEM := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, vars := range map[string]map[string]string{
		"helo with a space": {"SMTP_HELO": "my host"},
		"CA file missing":   {"SMTP_CA_FILE": filepath.Join(dir, "missing.pem")},
		"CA file not PEM":   {"SMTP_CA_FILE": notPEM},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := config.Load(env(goodSecrets(t, vars)))
			for v := range vars {
				wantOneLineNaming(t, err, v)
			}
		})
	}
}

func TestContactEmail(t *testing.T) {
	load := func(v string) (config.Config, error) {
		vars := map[string]string{"DATA_DIR": t.TempDir(), "CONTACT_EMAIL": v}
		return config.Load(env(vars))
	}
	c, err := load("Team@Example.org")
	if err != nil || c.ContactEmail != "team@example.org" {
		t.Fatalf("%q %v", c.ContactEmail, err)
	}
	for _, bad := range []string{"not an address", "Team <team@example.org>"} {
		if _, err := load(bad); err == nil || !strings.Contains(err.Error(), "CONTACT_EMAIL") {
			t.Errorf("CONTACT_EMAIL=%q: %v", bad, err)
		}
	}
}
