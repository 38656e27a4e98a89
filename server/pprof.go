//go:build pprof

package main

// Profiling for measurements only: a binary built with -tags pprof serves
// net/http/pprof on PPROF_ADDR (for example 127.0.0.1:6060). Release
// builds leave this file out, so no profile is reachable in production.

import (
	"log/slog"
	"net/http"
	_ "net/http/pprof" //nolint:gosec // a measurement build, on an address the operator chooses
	"os"
	"time"
)

func init() {
	addr := os.Getenv("PPROF_ADDR")
	if addr == "" {
		return
	}
	go func() {
		srv := &http.Server{Addr: addr, ReadHeaderTimeout: 5 * time.Second}
		slog.Warn("pprof build: profiles served", "addr", addr, "err", srv.ListenAndServe())
	}()
}
