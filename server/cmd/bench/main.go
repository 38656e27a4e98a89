// Command bench measures undersigned as the performance goals of docs/benchmarks.md ask:
// it starts the real binary on PostgreSQL with rate limits and proof of work
// off, drives it with wrk (sign, confirm, campaign read), runs pgbench with
// an equivalent single-row insert in the same run, and measures mail
// delivery to a local SMTP sink through the queue beside a raw go-mail loop.
// It prints one table; make bench runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime/pprof"
	"strings"
	"time"
)

type options struct {
	adminURL    string // a database the driver can create and drop others from
	database    string
	binary      string
	duration    time.Duration
	connections int
	threads     int
	only        string
	mailCount   int
	cpuProfile  string
	// waits samples PostgreSQL's wait events during sign and confirm.
	waits bool
	// timingOnly limits the timing measure to some of its rows ("endorse,
	// SQLite", say: probe names and stores, comma-separated; "" all).
	timingOnly string
}

func main() {
	var o options
	flag.StringVar(&o.adminURL, "admin-url", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL URL of a database to create the bench database from")
	flag.StringVar(&o.database, "database", "undersigned_bench", "name of the bench database (dropped and created)")
	flag.StringVar(&o.binary, "binary", "bin/undersigned", "the server binary")
	flag.DurationVar(&o.duration, "duration", 15*time.Second, "length of each wrk run")
	flag.IntVar(&o.connections, "connections", 64, "wrk connections")
	flag.IntVar(&o.threads, "threads", 2, "wrk threads")
	flag.StringVar(&o.only, "only", "sign,confirm,read,pgbench,memory,surge,tlog,mail,digest,timing,shred,seal,contact", "which measures to run")
	flag.IntVar(&o.mailCount, "mail", 20000, "messages per mail measure")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the driver (the mail measures run the queue in it) to this file")
	flag.BoolVar(&o.waits, "waits", false, "sample the bench database's wait events every 10 ms during sign and confirm, and print the most frequent")
	flag.IntVar(&timingPairs, "timing-pairs", timingPairs, "interleaved pairs per timing row (more narrows the median of a slow request such as login)")
	flag.StringVar(&o.timingOnly, "timing-only", "", "timing rows to run: probe names and stores, comma-separated (\"endorse,SQLite\"); empty for all")
	flag.Parse()
	log.SetFlags(0)
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			log.Fatalf("bench: %v", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatalf("bench: %v", err)
		}
		defer pprof.StopCPUProfile()
	}

	ctx := context.Background()
	var results []result
	want := func(name string) bool { return strings.Contains(","+o.only+",", ","+name+",") }
	env, err := setup(ctx, o)
	if err != nil {
		log.Fatalf("bench: %v", err)
	}
	defer env.close()

	steps := []struct {
		name string
		run  func(context.Context, *benchEnv) ([]result, error)
	}{
		// The measures of the server under test come first: mail and
		// digest stop it, so that its own workers take no part.
		{"sign", benchSign}, {"confirm", benchConfirm}, {"read", benchRead}, {"pgbench", benchPgbench}, {"memory", benchMemory}, {"tlog", benchTlog},
		{"surge", benchSurge}, {"mail", benchMail}, {"digest", benchDigest}, {"sqlite", benchSignSQLite}, {"timing", benchTiming}, {"shred", benchShred}, {"seal", benchSeal},
		{"contact", benchEndorseContact},
	}
	for _, s := range steps {
		if !want(s.name) {
			continue
		}
		log.Printf("== %s", s.name)
		rs, err := s.run(ctx, env)
		if err != nil {
			log.Fatalf("bench %s: %v", s.name, err)
		}
		results = append(results, rs...)
	}
	fmt.Println()
	fmt.Printf("machine: %s\n", machine())
	fmt.Printf("%-44s %14s %10s %s\n", "measure", "rate", "p99", "note")
	for _, r := range results {
		fmt.Printf("%-44s %14s %10s %s\n", r.name, r.rate, r.p99, r.note)
	}
	if env.failed {
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

type result struct{ name, rate, p99, note string }
