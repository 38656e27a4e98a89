package api_test

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestMain lets the heap grow to four times what is live before each
// collection (GOGC=300) unless GOGC is set: the API tests allocate a lot
// (every exchange is checked against the OpenAPI document), and at the
// default the collector took a fifth of the package's CPU. The peak
// resident memory goes from about 170 to 260 MiB.
func TestMain(m *testing.M) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(300)
	}
	os.Exit(m.Run())
}
