// Package intake accepts signing requests and decides, in the background,
// what each one is. A request is accepted by one write whose work does not
// depend on the address (the whole request sealed under the data key,
// group-committed with its neighbours); the worker then opens it in memory
// and makes a new signature, renews a pending one, or tells an address that
// has already signed so, with a new withdrawal link. So the answer to a
// signing request takes the same time whether or not the address signed:
// whether someone signed is exactly what a hostile state wants to learn.
package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/auth"
	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
)

// ConfirmLifetime is how long a confirmation link works; an unconfirmed
// signature is deleted after it.
const ConfirmLifetime = 7 * 24 * time.Hour

// Request is one valid signing request, as the form or the API took it.
// It is sealed whole into the intake: nothing of it reaches the disk in
// plain text.
type Request struct {
	Email      string  `json:"email"` // as typed, trimmed and lower-cased: where mail goes
	Name       string  `json:"name"`
	Country    string  `json:"country"`
	Comment    *string `json:"comment,omitempty"`
	Visibility string  `json:"visibility"`
	Updates    bool    `json:"updates,omitempty"`
	Ref        string  `json:"ref,omitempty"`
	// Language is the language of the emails; Campaign the campaign's
	// title, which they name; Shown the name as it will be listed ("" when
	// not listed).
	Language string `json:"language"`
	Campaign string `json:"campaign"`
	Shown    string `json:"shown,omitempty"`
	// Flagged shadow-flags the signature (FlagReason says why): it is
	// accepted but never counts.
	Flagged    bool   `json:"flagged,omitempty"`
	FlagReason string `json:"flag_reason,omitempty"`
	// Client is the salted hash of the client's IP address.
	Client string `json:"client,omitempty"`
}

// Notifier wakes a worker.
type Notifier interface{ Wake() }

type noNotifier struct{}

func (noNotifier) Wake() {}

// Worker runs the intake. Submit is called by request handlers; Run by the
// server, on any number of instances at once.
type Worker struct {
	Store *store.Store
	Keys  privacy.Keys
	// Hasher hashes addresses with each campaign's own key (issue 14);
	// New makes one from Store and Keys.
	Hasher *privacy.CampaignHasher
	// Sealer seals what is kept for later (an address for updates, a
	// private name, a comment) to the coalition; it must be set.
	Sealer *privacy.Sealer
	// PublicURL starts the links in emails; Domain is the right half of
	// Message-IDs.
	PublicURL string
	Domain    string
	// Mail is woken when mail was queued (nil: nobody).
	Mail Notifier
	// Workers is how many batches one instance handles at once (default 1;
	// more only helps on PostgreSQL). Batch bounds one transaction (default
	// 100). Poll is how often to look for entries other instances accepted
	// (default one second); entries accepted here wake the worker at once.
	Workers int
	Batch   int
	Poll    time.Duration

	wake chan struct{}
}

// New returns a worker with its defaults; set Mail before Run.
func New(st *store.Store, keys privacy.Keys, publicURL, domain string) *Worker {
	return &Worker{Store: st, Keys: keys, Hasher: &privacy.CampaignHasher{Keys: keys, Store: st},
		PublicURL: publicURL, Domain: domain, wake: make(chan struct{}, 1)}
}

// Submit accepts one valid signing request: sealed and durably written
// when it returns nil, so the caller may answer 202. Its work is the same
// whatever the address. store.ErrBusy means the intake is full: ask the
// client to retry shortly.
func (w *Worker) Submit(ctx context.Context, campaignID string, r Request) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("intake: %w", err)
	}
	sealed, err := w.Keys.Encrypt(string(b))
	if err != nil {
		return fmt.Errorf("intake: seal: %w", err)
	}
	if err := w.Store.AcceptSignature(ctx, campaignID, sealed); err != nil {
		return err
	}
	w.Wake()
	return nil
}

// Full reports whether the intake would refuse a request now.
func (w *Worker) Full() bool { return w.Store.IntakeFull() }

// Wake makes the worker look at the intake now.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run handles the intake until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	n := max(w.Workers, 1)
	done := make(chan struct{}, n)
	for range n {
		go func() { defer func() { done <- struct{}{} }(); w.loop(ctx) }()
	}
	for range n {
		<-done
	}
}

func (w *Worker) loop(ctx context.Context) {
	poll := w.Poll
	if poll <= 0 {
		poll = time.Second
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		for {
			res, err := w.Process(ctx)
			if err != nil {
				if !errors.Is(err, context.Canceled) {
					slog.Error("intake", "err", err)
				}
				break
			}
			if res.Taken() == 0 {
				break
			}
			if w.Workers > 1 {
				w.Wake() // another loop may take the next batch meanwhile
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		case <-tick.C:
		}
	}
}

// Process handles one batch of the intake and reports what it did.
func (w *Worker) Process(ctx context.Context) (store.IntakeResult, error) {
	batch := w.Batch
	if batch <= 0 {
		batch = 100
	}
	// Each campaign's dedup key is made before the transaction, which then
	// only reads it: on SQLite a second writer would wait on the
	// transaction's own lock.
	ids, err := w.Store.IntakeCampaigns(ctx)
	if err != nil {
		return store.IntakeResult{}, err
	}
	for _, id := range ids {
		if err := w.Hasher.Warm(ctx, id); err != nil && !errors.Is(err, store.ErrCampaignClosed) {
			return store.IntakeResult{}, err
		}
	}
	decide := func(e store.IntakeEntry) (store.SignIntent, error) { return w.decide(ctx, e) }
	res, err := w.Store.ProcessIntake(ctx, batch, w.Domain, decide)
	if err != nil {
		return res, err
	}
	for _, e := range res.Errors {
		slog.Error("intake: entry dropped", "err", e)
	}
	if res.Mailed() && w.Mail != nil {
		w.Mail.Wake()
	}
	return res, nil
}

// decide opens one entry and prepares, in memory, all that the store may
// need to do with it.
func (w *Worker) decide(ctx context.Context, e store.IntakeEntry) (store.SignIntent, error) {
	plain, err := w.Keys.Decrypt(e.Payload)
	if err != nil {
		return store.SignIntent{}, fmt.Errorf("intake: open entry: %w", err)
	}
	var r Request
	if err := json.Unmarshal([]byte(plain), &r); err != nil {
		return store.SignIntent{}, fmt.Errorf("intake: read entry: %w", err)
	}
	canonical, domain, err := privacy.CanonicalEmail(r.Email)
	if err != nil {
		return store.SignIntent{}, fmt.Errorf("intake: entry address: %w", err)
	}
	sig, err := w.seal(ctx, e.CampaignID, r, canonical, domain)
	if err != nil {
		return store.SignIntent{}, err
	}
	confirm, confirmHash := auth.NewToken()
	withdraw, withdrawHash := auth.NewToken()
	sig.ConfirmTokenHash, sig.WithdrawTokenHash = &confirmHash, &withdrawHash
	sig.TokenExpiresAt = time.Now().UTC().Add(ConfirmLifetime).Truncate(time.Millisecond)
	sig.Flagged, sig.FlagReason = r.Flagged, r.FlagReason
	if r.Client != "" {
		client := r.Client
		sig.IPHash = &client
	}
	withdrawLink := w.PublicURL + "/withdraw/" + withdraw
	in := store.SignIntent{
		Signature: sig,
		Confirm: queued(mailers.SignatureConfirm(r.Language, mailers.SignatureConfirmParams{
			Campaign: r.Campaign, ConfirmLink: w.PublicURL + "/confirm/" + confirm, WithdrawLink: withdrawLink,
			Days: int(ConfirmLifetime / (24 * time.Hour)), Name: r.Name, Shown: r.Shown,
		}), r.Email),
		Already: queued(mailers.SignatureAlready(r.Language, mailers.SignatureAlreadyParams{
			Campaign: r.Campaign, WithdrawLink: withdrawLink,
		}), r.Email),
	}
	return in, nil
}

// queued turns a described email into one for the store's queue.
func queued(o mailers.Outgoing, to string) store.Mail {
	return store.Mail{Kind: o.Kind, Language: o.Language, Params: o.Params, Recipient: to}
}
