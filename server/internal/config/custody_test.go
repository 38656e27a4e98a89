package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/privacy"
)

// testRecipient is a coalition public key whose identity no test needs.
const testRecipient = "age1q0cyz26x293y4hzqugraksm7yxswk2kz0znyuw4tsp35s37wjsaqlauw76"

// In production no key may be generated into, or read from, DATA_DIR: a copy
// of the disk must not carry what opens it (issue 14, goal 4).
func TestProductionRefusesKeysInDataDir(t *testing.T) {
	t.Parallel()
	for _, missing := range []string{"JWT_SECRET", "DATA_KEY", "LOG_SIGNING_KEY", "SEAL_RECIPIENTS"} {
		t.Run(missing, func(t *testing.T) {
			t.Parallel()
			vars := goodSecrets(t, map[string]string{"PUBLIC_URL": "https://sign.example.org", "SMTP_URL": "smtps://u:p@mail.example.org:465"})
			delete(vars, missing)
			_, err := config.Load(env(vars))
			wantOneLineNaming(t, err, missing)
			if entries, _ := os.ReadDir(vars["DATA_DIR"]); len(entries) != 0 {
				t.Errorf("DATA_DIR got files: %v", entries)
			}
		})
	}
	// Plain http on a real host, or an onion service, is production too:
	// only this machine's loopback is development (attacker review).
	for _, public := range []string{"http://sign.example.org", "http://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion"} {
		t.Run(public, func(t *testing.T) {
			t.Parallel()
			vars := goodSecrets(t, map[string]string{"PUBLIC_URL": public, "SMTP_URL": "smtps://u:p@mail.example.org:465"})
			delete(vars, "DATA_KEY")
			_, err := config.Load(env(vars))
			wantOneLineNaming(t, err, "DATA_KEY")
		})
	}
	for _, dev := range []string{"http://localhost:8080", "http://127.0.0.1:8080", "http://[::1]:8080", "http://app.localhost"} {
		t.Run(dev, func(t *testing.T) {
			t.Parallel()
			vars := goodSecrets(t, map[string]string{"PUBLIC_URL": dev})
			delete(vars, "DATA_KEY")
			if _, err := config.Load(env(vars)); err != nil {
				t.Fatalf("development on %s: %v", dev, err)
			}
		})
	}
	t.Run("a key left in DATA_DIR by development is not read", func(t *testing.T) {
		t.Parallel()
		vars := goodSecrets(t, map[string]string{"PUBLIC_URL": "https://sign.example.org", "SMTP_URL": "smtps://u:p@mail.example.org:465"})
		delete(vars, "DATA_KEY")
		if err := os.WriteFile(filepath.Join(vars["DATA_DIR"], "data_key"), []byte(strings.Repeat("ab", 32)), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := config.Load(env(vars))
		wantOneLineNaming(t, err, "DATA_KEY")
	})
	t.Run("all given", func(t *testing.T) {
		t.Parallel()
		cfg, err := config.Load(env(goodSecrets(t, map[string]string{"PUBLIC_URL": "https://sign.example.org", "SMTP_URL": "smtps://u:p@mail.example.org:465"})))
		if err != nil || !cfg.Production() || len(cfg.GeneratedSecrets) != 0 {
			t.Fatalf("Load = %v, production %v, generated %v", err, cfg.Production(), cfg.GeneratedSecrets)
		}
	})
}

func TestDevelopmentGeneratesASealIdentityItCanOpen(t *testing.T) {
	t.Parallel()
	vars := goodSecrets(t, nil)
	delete(vars, "SEAL_RECIPIENTS")
	cfg, err := config.Load(env(vars))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Production() || cfg.DevSealIdentity == "" || !strings.HasPrefix(cfg.SealRecipients, "age1") {
		t.Fatalf("production %v, identity %q, recipients %q", cfg.Production(), cfg.DevSealIdentity, cfg.SealRecipients)
	}
	b, err := os.ReadFile(cfg.DevSealIdentity)
	if err != nil {
		t.Fatal(err)
	}
	id, err := privacy.ParseIdentityFile(string(b))
	if err != nil || id.Recipient != cfg.SealRecipients {
		t.Errorf("identity file gives %q, %v; want %q", id.Recipient, err, cfg.SealRecipients)
	}
}

func TestBadSealRecipientsAreRefused(t *testing.T) {
	t.Parallel()
	_, err := config.Load(env(goodSecrets(t, map[string]string{"SEAL_RECIPIENTS": "age1nope"})))
	wantOneLineNaming(t, err, "SEAL_RECIPIENTS")
}
