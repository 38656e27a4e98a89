package mailqueue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bnp/undersigned/server/internal/store"
)

var (
	sent = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "undersigned_mail_sent_total", Help: "Messages the SMTP server (or dev outbox) accepted, by kind."}, []string{"kind"})
	retried = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "undersigned_mail_retried_total", Help: "Temporary failures scheduled for another attempt, by kind."}, []string{"kind"})
	failed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "undersigned_mail_failed_total", Help: "Messages that failed for good, by kind."}, []string{"kind"})
	sendSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "undersigned_mail_send_seconds", Help: "Time to hand one message to the transport, by kind.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, []string{"kind"})
)

func init() {
	prometheus.MustRegister(sent, retried, failed, sendSeconds)
}

// queueCollector reports the whole queue (every instance's) by status when
// scraped: queued, sent and failed.
type queueCollector struct {
	store *store.Store
	desc  *prometheus.Desc
}

// RegisterQueueMetrics adds the queue-depth gauge for st to the default
// registry. Call it once per process.
func RegisterQueueMetrics(st *store.Store) error {
	return prometheus.Register(&queueCollector{store: st, desc: prometheus.NewDesc(
		"undersigned_mail_messages", "Messages in the mail queue by status (all instances).", []string{"status"}, nil)})
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.store.MailCounts(ctx, "")
	if err != nil {
		slog.Error("mail queue metrics", "err", err)
		return
	}
	for status, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), status)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func randomName() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
