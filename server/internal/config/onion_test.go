package config_test

import (
	"strings"
	"testing"

	"github.com/bnp/undersigned/server/internal/config"
)

const testOnion = "http://2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion"

func TestOnionURL(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(env(goodSecrets(t, nil)))
	if err != nil || cfg.OnionURL != nil {
		t.Fatalf("unset: %v, %v", cfg.OnionURL, err)
	}
	cfg, err = config.Load(env(goodSecrets(t, map[string]string{"ONION_URL": testOnion + "/"})))
	if err != nil || cfg.OnionURL.String() != testOnion {
		t.Fatalf("set: %v, %v", cfg.OnionURL, err)
	}
	for _, bad := range []string{"https://sign.example.org", "http://short.onion", testOnion + "/path", "ftp://" + strings.TrimPrefix(testOnion, "http://"), testOnion + "?x=1"} {
		if _, err := config.Load(env(goodSecrets(t, map[string]string{"ONION_URL": bad}))); err == nil || !strings.Contains(err.Error(), "ONION_URL") {
			t.Errorf("%q: %v, want an error naming ONION_URL", bad, err)
		}
	}
}
