package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// waitSampler counts what the bench database's backends are doing, every
// 10 ms while a measure runs: PostgreSQL's own wait events (or CPU), with
// the start of the statement. It says whether a measure is held by the
// WAL flush, by locks, by PostgreSQL's CPU or by a server that keeps it
// waiting (Client:ClientRead inside a transaction).
type waitSampler struct {
	stop    chan struct{}
	done    chan struct{}
	samples int
	counts  map[string]int
	err     error
}

// startWaits starts sampling the bench database if -waits asked for it
// (nil otherwise); results ends it.
func (e *benchEnv) startWaits(ctx context.Context) *waitSampler {
	if !e.o.waits {
		return nil
	}
	w := &waitSampler{stop: make(chan struct{}), done: make(chan struct{}), counts: map[string]int{}}
	go func() {
		defer close(w.done)
		conn, err := pgx.Connect(ctx, e.dbURL)
		if err != nil {
			w.err = err
			return
		}
		defer conn.Close(ctx)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
			rows, err := conn.Query(ctx, `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU'),
				left(regexp_replace(query, '\s+', ' ', 'g'), 32)
				FROM pg_stat_activity
				WHERE datname = current_database() AND state <> 'idle' AND pid <> pg_backend_pid()`)
			if err != nil {
				w.err = err
				return
			}
			for rows.Next() {
				var event, query string
				if err := rows.Scan(&event, &query); err == nil {
					w.counts[event+" ("+strings.TrimSpace(query)+")"]++
				}
			}
			rows.Close()
			w.samples++
		}
	}()
	return w
}

// results stops the sampler and gives its most frequent states, each as a
// share of the backend samples, with the mean number of busy backends.
func (w *waitSampler) results(name string) []result {
	if w == nil {
		return nil
	}
	close(w.stop)
	<-w.done
	if w.err != nil {
		return []result{{name, "", "", "sampling failed: " + w.err.Error()}}
	}
	type count struct {
		key string
		n   int
	}
	var cs []count
	total := 0
	for k, n := range w.counts {
		cs = append(cs, count{k, n})
		total += n
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].n > cs[j].n || cs[i].n == cs[j].n && cs[i].key < cs[j].key })
	var parts []string
	for i, c := range cs {
		if i == 6 {
			break
		}
		parts = append(parts, fmt.Sprintf("%s %.0f%%", c.key, 100*float64(c.n)/float64(total)))
	}
	busy := 0.0
	if w.samples > 0 {
		busy = float64(total) / float64(w.samples)
	}
	return []result{{name, fmt.Sprintf("%.1f busy", busy), "", strings.Join(parts, "; ")}}
}
