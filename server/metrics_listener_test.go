package main

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// /metrics is not on the public listener, only on METRICS_ADDR (issue 11,
// hole 8): its per-route counts tell who confirms, withdraws and exports.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := ln.Addr().String()
	_ = ln.Close()
	c := startChild(t, map[string]string{"DATA_DIR": t.TempDir(), "METRICS_ADDR": metricsAddr,
		"JWT_SECRET": strings.Repeat("s", 40), "DATA_KEY": strings.Repeat("ab", 32), "SEED_DEMO": "false"})
	get := func(u string) (int, string) {
		t.Helper()
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	// The public listener answers /metrics as any unknown page: the SPA's
	// page (or a 404 without one), never the metrics.
	if status, body := get(c.base + "/metrics"); strings.Contains(body, "http_requests_total") || strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics on the public listener: status %d, the metrics", status)
	}
	status, body := get("http://" + metricsAddr + "/metrics")
	if status != 200 || !strings.Contains(body, "http_requests_total") || !strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics on METRICS_ADDR: status %d, body %.300s", status, body)
	}
}
