package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/bnp/undersigned/server/internal/translog"
)

// witnessCommand: witness --log URL --log-key VKEY --key FILE --state FILE.
// It runs a witness of one campaign's log until interrupted, or polls once
// with --once; a fork or rollback ends it with an error, loudly.
func witnessCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("witness", flag.ContinueOnError)
	fs.SetOutput(stderr)
	logURL := fs.String("log", "", "the campaign's log, https://host/log/slug")
	logKey := fs.String("log-key", "", "the log's verifier key (as /log/key serves it, obtained out of band)")
	keyFile := fs.String("key", "", "this witness's private key file (made on first use with --name)")
	name := fs.String("name", "", "this witness's name, for a new key (for example witness.example.org)")
	stateFile := fs.String("state", "", "file keeping the last cosigned checkpoint")
	interval := fs.Duration("interval", time.Minute, "how often to poll")
	once := fs.Bool("once", false, "poll once and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *logURL == "" || *logKey == "" || *keyFile == "" || *stateFile == "" {
		return errors.New("usage: undersigned witness --log URL --log-key VKEY --key FILE --state FILE [--name NAME] [--interval 1m] [--once]")
	}
	verifier, err := note.NewVerifier(strings.TrimSpace(*logKey))
	if err != nil {
		return fmt.Errorf("--log-key: %w", err)
	}
	key, keyName, err := witnessKey(*keyFile, *name)
	if err != nil {
		return err
	}
	signer, vkey, err := translog.NewWitnessKey(keyName, key)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "witness key (give it to the server's LOG_WITNESSES): %s\n", vkey)
	w := &translog.Witness{Log: translog.Remote{URL: *logURL, Key: verifier}, Signer: signer, StatePath: *stateFile}
	if *once {
		cosigned, err := w.Once(ctx)
		if err == nil {
			fmt.Fprintf(stdout, "cosigned a new checkpoint: %v\n", cosigned)
		}
		return loudly(stderr, err)
	}
	return loudly(stderr, w.Run(ctx, *interval))
}

// loudly makes a fork impossible to miss.
func loudly(stderr io.Writer, err error) error {
	if errors.Is(err, translog.ErrFork) {
		fmt.Fprintf(stderr, "\n!!! REFUSED: %v\n!!! Do not trust this log's numbers; tell the campaign and the other witnesses.\n\n", err)
	}
	return err
}

// witnessKey reads "name\nbase64 seed\n", or makes it when absent.
func witnessKey(path, name string) (ed25519.PrivateKey, string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if name == "" {
			return nil, "", errors.New("--key does not exist yet: give --name to make it")
		}
		seed := make([]byte, ed25519.SeedSize)
		if _, err := rand.Read(seed); err != nil {
			return nil, "", err
		}
		content := name + "\n" + base64.StdEncoding.EncodeToString(seed) + "\n"
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			return nil, "", fmt.Errorf("--key: %w", err)
		}
		return ed25519.NewKeyFromSeed(seed), name, nil
	} else if err != nil {
		return nil, "", fmt.Errorf("--key: %w", err)
	}
	lines := strings.Fields(string(b))
	if len(lines) != 2 {
		return nil, "", errors.New("--key: expected a name line and a base64 key line")
	}
	seed, err := base64.StdEncoding.DecodeString(lines[1])
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, "", errors.New("--key: malformed key")
	}
	return ed25519.NewKeyFromSeed(seed), lines[0], nil
}

// verifyCommand: verify --log URL [--key VKEY] [--checkpoint FILE]. It
// checks a campaign's log from the outside and prints what it found.
func verifyCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	logURL := fs.String("log", "", "the campaign's log, https://host/log/slug")
	keyFlag := fs.String("key", "", "the log's verifier key; without it, /log/key is fetched (compare it with one published elsewhere)")
	earlier := fs.String("checkpoint", "", "an earlier checkpoint (from a digest, say) the log must still be consistent with")
	if err := fs.Parse(args); err != nil {
		return err
	}
	base, slug, ok := strings.Cut(strings.TrimSuffix(*logURL, "/"), "/log/")
	if !ok || slug == "" || strings.Contains(slug, "/") {
		return errors.New("usage: undersigned verify --log https://host/log/slug [--key VKEY] [--checkpoint FILE]")
	}
	client := &http.Client{Timeout: 30 * time.Second}
	vkey := strings.TrimSpace(*keyFlag)
	if vkey == "" {
		b, err := get(ctx, client, base+"/log/key")
		if err != nil {
			return err
		}
		vkey = strings.TrimSpace(string(b))
		fmt.Fprintf(stdout, "key (fetched from the log itself: compare it with one published elsewhere): %s\n", vkey)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return fmt.Errorf("log key: %w", err)
	}
	remote := &translog.Remote{URL: *logURL, Key: verifier, HTTP: client}
	a, err := remote.AuditLog(ctx)
	if err != nil {
		return loudly(stderr, err)
	}
	cp := a.Checkpoint
	fmt.Fprintf(stdout, "checkpoint: %s, size %d, root %s\n", cp.Origin, cp.N, base64.StdEncoding.EncodeToString(cp.Hash[:]))
	fmt.Fprintf(stdout, "tiles: %d hash tiles and %d entries checked against the checkpoint\n", a.Tiles, cp.N)
	fmt.Fprintf(stdout, "leaves: %d confirmed, %d withdrawn", a.Confirmed, a.Withdrawn)
	for _, r := range a.Reasons() {
		fmt.Fprintf(stdout, ", %d invalidated (%s)", a.Invalidated[r], r)
	}
	fmt.Fprintf(stdout, "\ncounted: %d signatures as of this checkpoint\n", a.Counted)
	if *earlier != "" {
		b, err := os.ReadFile(*earlier)
		if err != nil {
			return fmt.Errorf("--checkpoint: %w", err)
		}
		_, old, err := translog.OpenCheckpoint(b, verifier)
		if err != nil {
			return fmt.Errorf("--checkpoint: %w", err)
		}
		if err := remote.Consistent(ctx, old, cp); err != nil {
			return loudly(stderr, err)
		}
		fmt.Fprintf(stdout, "consistent: the earlier checkpoint of size %d is a prefix of this one\n", old.N)
	}
	return checkPublishedCount(ctx, client, base, slug, a, stdout)
}

// checkPublishedCount compares the campaign page's numbers with the log's.
func checkPublishedCount(ctx context.Context, client *http.Client, base, slug string, a *translog.Audit, stdout io.Writer) error {
	b, err := get(ctx, client, base+"/api/v1/campaigns/"+slug)
	if err != nil {
		return err
	}
	var camp struct {
		SignatureCount int64 `json:"signature_count"`
		Log            struct {
			Size    int64 `json:"size"`
			Counted int64 `json:"counted"`
		} `json:"log"`
	}
	if err := json.Unmarshal(b, &camp); err != nil {
		return fmt.Errorf("campaign page: %w", err)
	}
	if camp.Log.Size != a.Checkpoint.N {
		fmt.Fprintf(stdout, "published: the campaign page shows a checkpoint of size %d (a batch came in between; run again)\n", camp.Log.Size)
		return nil
	}
	if camp.Log.Counted != a.Counted {
		return fmt.Errorf("the campaign page says %d counted at size %d, the leaves add up to %d", camp.Log.Counted, camp.Log.Size, a.Counted)
	}
	fmt.Fprintf(stdout, "published: the campaign page's %d counted at this checkpoint match; its signature_count %d adds what waits for the next batch\n",
		camp.Log.Counted, camp.SignatureCount)
	return nil
}

func get(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil || res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d %v", url, res.StatusCode, err)
	}
	return b, nil
}
