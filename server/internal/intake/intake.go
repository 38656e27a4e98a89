// Package intake accepts the public requests whose answer must not tell
// whether an address is known (signing, endorsing, asking for a password
// reset) and decides, in the background, what each one is. A request is
// accepted by one write whose work does not depend on the address (the
// whole request sealed under the data key, group-committed with its
// neighbours); the worker then opens it in memory and, for a signature,
// makes a new one, renews a pending one, or tells an address that has
// already signed so, with a new withdrawal link. So the answer takes the
// same time whether or not the address signed: whether someone signed is
// exactly what a hostile state wants to learn.
package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
)

// Notifier wakes a worker.
type Notifier interface{ Wake() }

// Worker runs the intake. Its Submit… methods are called by request
// handlers; Run by the server, on any number of instances at once.
type Worker struct {
	Store *store.Store
	Keys  privacy.Keys
	// Hasher hashes addresses with each campaign's own key (issue 14);
	// New makes one from Store and Keys.
	Hasher *privacy.CampaignHasher
	// Coalition seals what is kept for later (an address for updates, a
	// private name, a comment, an organisation's contact) to
	// SEAL_RECIPIENTS; it must be set.
	Coalition *privacy.Coalition
	// PublicURL starts the links in emails.
	PublicURL string
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
func New(st *store.Store, keys privacy.Keys, publicURL string) *Worker {
	return &Worker{Store: st, Keys: keys, Hasher: &privacy.CampaignHasher{Keys: keys, Store: st},
		PublicURL: publicURL, wake: make(chan struct{}, 1)}
}

// submit seals a request of a kind and writes it durably into the intake:
// when it returns nil the caller may answer 202. Its work is the same
// whatever the address. subject names, within the campaign, the row the
// request may change ("" when the order of such requests does not matter),
// so that the worker applies them in the order they came. store.ErrBusy
// means the intake is full: ask the client to retry shortly.
func (w *Worker) submit(ctx context.Context, kind, campaignID, subject string, request any) error {
	b, err := json.Marshal(request)
	if err != nil {
		return fmt.Errorf("intake: %w", err)
	}
	sealed, err := w.Keys.Encrypt(string(b))
	if err != nil {
		return fmt.Errorf("intake: seal: %w", err)
	}
	if err := w.Store.AcceptIntake(ctx, kind, campaignID, w.orderKey(kind, campaignID, subject), sealed); err != nil {
		return err
	}
	w.Wake()
	return nil
}

// orderKey is the intake's order key of a request about subject: a hash
// keyed with the data key, so the row tells nobody the address, and cut to
// 36 bits, so that it links two requests only weakly; an unrelated request
// that shares it merely waits behind the other. "" for no subject.
func (w *Worker) orderKey(kind, campaignID, subject string) string {
	if subject == "" {
		return ""
	}
	return w.Keys.Hash("intake-order", kind+"\x00"+campaignID+"\x00"+subject)[:6]
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
				// Ending (ctx done) rolls back the transaction under way:
				// not an error, whatever database/sql calls it.
				if !errors.Is(err, context.Canceled) && ctx.Err() == nil {
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
	decide := func(e store.IntakeEntry) (store.Intent, error) { return w.decide(ctx, e) }
	res, err := w.Store.ProcessIntake(ctx, batch, decide)
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
func (w *Worker) decide(ctx context.Context, e store.IntakeEntry) (store.Intent, error) {
	plain, err := w.Keys.Decrypt(e.Payload)
	if err != nil {
		return nil, fmt.Errorf("intake: open %s entry: %w", e.Kind, err)
	}
	campaignID := ""
	if e.CampaignID != nil {
		campaignID = *e.CampaignID
	}
	// A signature or an endorsement dates from its request, not from the
	// moment the worker got to it.
	switch e.Kind {
	case store.IntakeSignature:
		return w.decideSignature(ctx, campaignID, e.CreatedAt, []byte(plain))
	case store.IntakeEndorsement:
		return w.decideEndorsement(ctx, campaignID, e.CreatedAt, []byte(plain))
	case store.IntakePasswordReset:
		return w.decideReset([]byte(plain))
	}
	return nil, fmt.Errorf("intake: unknown kind %q", e.Kind)
}

// queued turns a described email into one for the store's queue.
func queued(o mailers.Outgoing, to string) store.Mail {
	return store.Mail{Kind: o.Kind, Language: o.Language, Params: o.Params, Recipient: to}
}

// langQuery is "?lang=xx" for a language of ours, so that an email's link
// opens its page in the reader's language; "" otherwise.
func langQuery(lang string) string {
	for _, l := range mailers.Languages {
		if lang == l {
			return "?lang=" + l
		}
	}
	return ""
}
