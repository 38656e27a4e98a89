package api_test

import (
	"flag"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"testing"
)

// minParallel is how many API tests run at once unless -test.parallel
// says otherwise (go test's default is GOMAXPROCS, 2 on a 2-core machine).
// An API test spends much of its time waiting on PostgreSQL, an SMTP
// server or a background worker, not computing: at load 8 on two cores
// the package took 127 s with 2 tests at a time and 84 s with 4. Each test
// holds at most about a dozen PostgreSQL connections.
const minParallel = 4

// TestMain runs the API tests at least minParallel at a time, and lets
// the heap grow to four times what is live before each collection
// (GOGC=300) unless GOGC is set: the API tests allocate a lot (every
// exchange is checked against the OpenAPI document), and at the default
// the collector took a fifth of the package's CPU. The peak resident
// memory goes from about 170 to 260 MiB (SQLite only).
func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit && runtime.GOMAXPROCS(0) < minParallel {
		if err := flag.Set("test.parallel", strconv.Itoa(minParallel)); err != nil {
			panic(err)
		}
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(300)
	}
	os.Exit(m.Run())
}
