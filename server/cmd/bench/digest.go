package main

import (
	"context"
	"fmt"
	"log"
	"net/url"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/digest"
	"github.com/bnp/undersigned/server/internal/mailqueue"
	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
)

// benchDigest sends one EU digest to 100,000 contacts through the queue
// (four connections to the sink), sampling this process's heap while it
// runs: delivery must hold no per-recipient state in memory.
func benchDigest(ctx context.Context, e *benchEnv) ([]result, error) {
	if err := e.stopServer(ctx); err != nil {
		return nil, err
	}
	const contacts = 100000
	if err := e.store.Exec(ctx, "DELETE FROM mail_messages"); err != nil {
		return nil, err
	}
	if err := e.store.Exec(ctx, "DELETE FROM contacts"); err != nil {
		return nil, err
	}
	err := e.store.Exec(ctx, `INSERT INTO contacts (id, name, email, region, language, unsubscribe_token_hash, created_at, updated_at)
		SELECT 'bench-' || i, 'Official ' || i, 'official' || i || '@example.eu', 'eu',
			CASE WHEN i % 3 = 0 THEN 'be' ELSE 'en' END, md5(i::text), now(), now()
		FROM generate_series(1, ?) AS i`, contacts)
	if err != nil {
		return nil, err
	}
	camp, err := e.store.CampaignBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	d := store.Digest{Region: "eu", Subject: "Weekly update", Intro: "Dear colleagues,"}
	if err := e.store.CreateDigest(ctx, &d, []string{camp.ID}, &store.AuditEntry{Action: "digest.create"}); err != nil {
		return nil, err
	}
	d, err = e.store.DigestByID(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	catalog, err := mailers.NewCatalog(mailers.Site{})
	if err != nil {
		return nil, err
	}
	digests := &digest.Service{Store: e.store, PublicURL: "http://localhost:8080", Keys: privacy.NewKeys(make([]byte, 32)), Catalog: catalog}
	start := time.Now()
	n, err := digests.Start(ctx, d, &store.AuditEntry{Action: "digest.send"}, time.Now())
	if err != nil {
		return nil, err
	}
	queued := time.Since(start)
	log.Printf("digest: %d deliveries queued in %v", n, queued)

	sink, _ := url.Parse("smtp://" + e.sinkAddr + "?tls=none")
	transport, err := mailers.NewSMTP(sink, benchFrom, 4, mailers.WithHELO("bench.localhost"))
	if err != nil {
		return nil, err
	}
	defer transport.Close()
	// The queue as serve.go makes it: default batch, lease and poll.
	q := mailqueue.New(e.store, catalog, transport, mailqueue.Options{Workers: 4, Expand: digests.Expand, Render: digests.Render})

	// The reference, in the same run: raw go-mail over the same four
	// connections sending this digest's messages (as contacts get them), as
	// many as the mail measure sends, just before the digest and just after
	// it (the mean: the machine's load drifts).
	// Every third contact reads Belarusian (bench-3, bench-6, …): the
	// reference sends the same mix, since a Cyrillic part is about twice as
	// long once quoted-printable.
	var emails []mailers.Email
	for _, contact := range []string{"bench-1", "bench-2", "bench-3"} {
		lang := "en"
		if contact == "bench-3" {
			lang = "be"
		}
		params, err := digests.Expand(ctx, mailers.KindDigest, lang, []byte(`{"digest":"`+d.ID+`","contact":"`+contact+`"}`))
		if err != nil {
			return nil, err
		}
		email, err := catalog.Render(mailers.KindDigest, lang, params)
		if err != nil {
			return nil, err
		}
		log.Printf("digest in %s: %d bytes of text, %d of HTML", lang, len(email.Text), len(email.HTML))
		emails = append(emails, email)
	}
	before, err := e.rawSend(emails, 4)
	if err != nil {
		return nil, err
	}

	runtime.GC()
	var peak atomic.Uint64
	base := heapInUse()
	sampling, stopSampling := context.WithCancel(ctx)
	go func() {
		for sampling.Err() == nil {
			if h := heapInUse(); h > peak.Load() {
				peak.Store(h)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	elapsed, err := e.runQueue(ctx, q, d.ID, int(n))
	stopSampling()
	if err != nil {
		return nil, err
	}
	after, err := e.rawSend(emails, 4)
	if err != nil {
		return nil, err
	}
	rate := float64(n) / elapsed.Seconds()
	note := fmt.Sprintf("%d contacts; queued in %v; heap %.1f MiB before, %.1f MiB peak while sending", n, queued.Round(time.Millisecond),
		float64(base)/(1<<20), float64(peak.Load())/(1<<20))
	raw := (before + after) / 2
	log.Printf("raw go-mail, the digest's message, 4 connections: %.0f msg/s before the digest, %.0f after", before, after)
	flat := "flat"
	if peak.Load() > base+64<<20 {
		flat = "NOT flat"
	}
	return []result{
		{"digest to 100,000 contacts, 4 connections", fmt.Sprintf("%.0f msg/s", rate), "", note},
		{"digest raw go-mail loop, 4 connection(s)", fmt.Sprintf("%.0f msg/s", raw), "", fmt.Sprintf("the digest's messages, no database, no rendering; mean of %.0f before and %.0f after", before, after)},
		ratioResult("digest / raw go-mail, 4 conn.", rate, raw, 0.9),
		{"digest heap growth while sending", fmt.Sprintf("%.1f MiB", float64(peak.Load()-min(peak.Load(), base))/(1<<20)), "", "goal: flat (< 64 MiB over the start): " + flat},
	}, nil
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
