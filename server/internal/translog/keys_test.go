package translog

import (
	"net/url"
	"testing"
)

// testKey is a signed-note key made for these tests only.
const testKey = "PRIVATE+KEY+example.org/log+e23b8854+AdHNyBb4nck/Aa1R1R/AusSnvUZPRIB9q3UlANK8ktzS"

func testKeys() (*Keys, error) {
	u, _ := url.Parse("https://example.org/")
	return NewKeys(testKey, nil, u)
}

func TestKeysServeTheVerifierAndNameTheCampaign(t *testing.T) {
	t.Parallel()
	k, err := testKeys()
	if err != nil {
		t.Fatal(err)
	}
	if k.VerifierKey != "example.org/log+e23b8854+Ab4NPB4c8sr3x72nfwxCFtSS/DONvWGDopCtlmPrd+R+" {
		t.Fatalf("verifier key %q", k.VerifierKey)
	}
	if k.Origin("my-campaign") != "example.org/log/my-campaign" {
		t.Fatalf("origin %q", k.Origin("my-campaign"))
	}
	for _, bad := range []string{"", "example.org/log+e23b8854+Ab4NPB4c8sr3x72nfwxCFtSS/DONvWGDopCtlmPrd+R+", "a+b+c"} {
		if _, err := NewCosignatureVerifier(bad); err == nil {
			t.Errorf("witness key %q accepted", bad)
		}
	}
}
