// Command undersigned serves the petition and campaign-coordination
// platform: the JSON API, the embedded SPA and the background workers.
//
//	undersigned [serve]                     run the server (the default)
//	undersigned migrate                     apply pending migrations and exit
//	undersigned user create --email E --role R
//	undersigned witness --log URL --log-key VKEY --key FILE --state FILE
//	undersigned verify --log URL [--key VKEY] [--checkpoint FILE]
//	undersigned version
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	// Schedules name IANA time zones: carry the database in the binary, so
	// that a minimal image without /usr/share/zoneinfo still knows them.
	_ "time/tzdata"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serveCommand(ctx, stderr)
	case "migrate":
		err = migrateCommand(ctx, stdout)
	case "user":
		err = userCommand(ctx, args, stdin, stdout)
	case "keys":
		err = keysCommand(args, stdout)
	case "witness":
		err = witnessCommand(ctx, args, stdout, stderr)
	case "verify":
		err = verifyCommand(ctx, args, stdout, stderr)
	case "version":
		_, err = fmt.Fprintln(stdout, "undersigned", version)
	case "help", "-h", "--help":
		_, err = fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "undersigned: unknown command %q\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "undersigned:", err)
		return 1
	}
	return 0
}

const usage = `usage:
  undersigned [serve]                        run the server (the default)
  undersigned migrate                        apply pending migrations and exit
  undersigned user create --email E --role R create a staff account
  undersigned keys generate                  make a coalition seal identity (age) and say where each half goes
  undersigned witness --log URL --log-key VKEY --key FILE --state FILE
                                             cosign a campaign's log (a partner's witness)
  undersigned verify --log URL [--key VKEY] [--checkpoint FILE]
                                             check a campaign's log from the outside
  undersigned version                        print the version
Configuration comes from the environment: see README.md.
`
