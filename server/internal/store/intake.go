package store

import (
	"context"
	"errors"
	"slices"
	"sort"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The kinds of request the intake takes.
const (
	IntakeSignature     = "signature"
	IntakeEndorsement   = "endorsement"
	IntakePasswordReset = "password_reset"
)

// IntakeEntry is one accepted request waiting for the intake worker: the
// request sealed under the data key (the store never sees it in plain
// text), and the campaign it is about, if any.
type IntakeEntry struct {
	ID         string
	Kind       string
	CampaignID *string
	// OrderKey names the row the request may change (see AcceptIntake):
	// entries with one key are applied in the order of their ids.
	OrderKey  string
	Payload   string
	CreatedAt time.Time
}

// TableName names the intake table.
func (IntakeEntry) TableName() string { return "intake" }

// ErrRetryLater, from decide, leaves an entry in the intake for a later
// batch instead of dropping it.
var ErrRetryLater = errors.New("retry later")

// ErrBusy is returned when the intake cannot take another request now: its
// queue is full. The caller should ask the client to come back shortly.
var ErrBusy = errors.New("busy")

// AcceptIntake records one request of a kind, sealed, for the intake
// worker (campaignID "" for none). It returns once the row is committed
// (durable), so the caller may answer 202; concurrent calls share one
// multi-row insert and one commit. When the queue of waiting requests is
// full it returns ErrBusy at once. Its work is the same whatever the
// request holds.
//
// orderKey names the row the request may change (an opaque, keyed hash of
// a campaign and an address, say; "" when the order does not matter):
// ProcessIntake applies the requests of one key in the order they were
// accepted, whichever worker takes them, so that a later renewal always
// wins over an earlier one. Ids are time-ordered and increase within a
// process; between instances the order holds as long as their clocks
// agree within the time between two requests (milliseconds, with NTP).
func (s *Store) AcceptIntake(ctx context.Context, kind, campaignID, orderKey, payload string) error {
	e := IntakeEntry{ID: newID(), Kind: kind, OrderKey: orderKey, Payload: payload, CreatedAt: now()}
	if campaignID != "" {
		e.CampaignID = &campaignID
	}
	return s.intake.add(ctx, e)
}

// IntakeStats reports how many requests the intake has written and in how
// many commits: their ratio is the group commit's mean batch.
func (s *Store) IntakeStats() (requests, commits int64) {
	return s.intake.requestsDone.Load(), s.intake.commits.Load()
}

// IntakeFull reports whether AcceptIntake would refuse a request now, so
// that a handler can shed load before doing any other work.
func (s *Store) IntakeFull() bool { return s.intake.full() }

// IntakeOutcome says what the intake did with one request, for metrics and
// tests only: the public answer is the same in every case (privacy rule 6).
type IntakeOutcome int

// The outcomes of a request.
const (
	OutcomeCreated   IntakeOutcome = iota // a new signature, endorsement or reset token; email queued
	OutcomeResent                         // still pending: new details and links emailed
	OutcomeAlready                        // a confirmed signature: "you have signed" emailed with a new withdrawal link
	OutcomeUnchanged                      // emailed too often already, an unknown account, …: nothing done
)

// Intent is what the intake worker asks the store to do with one entry,
// prepared in memory before the store knows whether the address is known:
// a SignIntent, EndorseIntent or ResetIntent.
type Intent interface {
	// lockKey orders a batch's intents, so that two workers whose batches
	// touch the same rows take their locks in one order and never deadlock.
	lockKey() string
	apply(s *Store, tx *gorm.DB) (IntakeOutcome, error)
}

// IntakeResult counts what one ProcessIntake call did.
type IntakeResult struct {
	Created, Resent, Already, Unchanged int
	// Dropped counts entries that decide could not read: deleted unused.
	Dropped int
	// Errors are decide's errors for the dropped entries, for the log.
	Errors []error
}

// Taken is how many entries the call handled.
func (r IntakeResult) Taken() int { return r.Created + r.Resent + r.Already + r.Unchanged + r.Dropped }

// Mailed reports whether any email was queued.
func (r IntakeResult) Mailed() bool { return r.Created+r.Resent+r.Already > 0 }

func (r *IntakeResult) count(o IntakeOutcome) {
	switch o {
	case OutcomeCreated:
		r.Created++
	case OutcomeResent:
		r.Resent++
	case OutcomeAlready:
		r.Already++
	default:
		r.Unchanged++
	}
}

// ProcessIntake takes up to limit waiting entries, oldest first, asks
// decide what each asks for, applies it and deletes the entries, all in one
// transaction: an entry is gone if and only if what it asked for was done,
// so a worker that dies midway leaves its entries for the next. On
// PostgreSQL several workers take entries side by side (SKIP LOCKED); on
// SQLite the transaction holds the one write lock. An entry decide fails on
// is deleted unused and its error reported in the result.
//
// Entries of one order key are applied in the order of their ids: an entry
// whose key has an older entry that this batch does not hold (another
// worker has it, or decide asked to retry it later) is left for a later
// batch, which takes it once the older one is done.
func (s *Store) ProcessIntake(ctx context.Context, limit int, decide func(IntakeEntry) (Intent, error)) (IntakeResult, error) {
	var res IntakeResult
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		res = IntakeResult{}
		q := tx.Order("id").Limit(limit)
		if s.postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
		}
		var entries []IntakeEntry
		if err := q.Find(&entries).Error; err != nil {
			return translate("take intake", err)
		}
		if len(entries) == 0 {
			return nil
		}
		waitFrom, err := s.olderElsewhere(tx, entries)
		if err != nil {
			return err
		}
		intents := make([]Intent, 0, len(entries))
		ids := make([]string, 0, len(entries))
		for _, e := range entries {
			if from, ok := waitFrom[e.OrderKey]; ok && e.OrderKey != "" && from < e.ID {
				continue // after an older entry of its key, in a later batch
			}
			in, err := decide(e)
			if errors.Is(err, ErrRetryLater) {
				if _, ok := waitFrom[e.OrderKey]; !ok {
					waitFrom[e.OrderKey] = e.ID
				}
				continue
			}
			ids = append(ids, e.ID)
			if err != nil {
				res.Dropped++
				res.Errors = append(res.Errors, err)
				continue
			}
			intents = append(intents, in)
		}
		sort.SliceStable(intents, func(i, j int) bool { return intents[i].lockKey() < intents[j].lockKey() })
		for _, in := range intents {
			outcome, err := in.apply(s, tx)
			if err != nil {
				return err
			}
			res.count(outcome)
		}
		if len(ids) == 0 {
			return nil
		}
		return translate("delete intake", tx.Where("id IN ?", ids).Delete(&IntakeEntry{}).Error)
	})
	if err != nil {
		return IntakeResult{}, err
	}
	return res, nil
}

// olderElsewhere finds, for each order key of a batch (entries in id
// order), the oldest entry of that key that is older than the batch's
// newest and not in the batch: one another worker holds (PostgreSQL's SKIP
// LOCKED skipped it), or one accepted by another instance whose commit came
// late. The batch's entries of that key newer than it must wait. On SQLite
// a batch is always the oldest entries, so there are none.
func (s *Store) olderElsewhere(tx *gorm.DB, batch []IntakeEntry) (map[string]string, error) {
	waitFrom := map[string]string{}
	if !s.postgres {
		return waitFrom, nil
	}
	inBatch := make(map[string]bool, len(batch))
	var keys []string
	for _, e := range batch {
		inBatch[e.ID] = true
		if e.OrderKey != "" && !slices.Contains(keys, e.OrderKey) {
			keys = append(keys, e.OrderKey)
		}
	}
	if len(keys) == 0 {
		return waitFrom, nil
	}
	var older []IntakeEntry
	err := tx.Select("id", "order_key").Where("order_key IN ? AND id < ?", keys, batch[len(batch)-1].ID).
		Order("id").Find(&older).Error
	if err != nil {
		return nil, translate("take intake", err)
	}
	for _, o := range older {
		if _, ok := waitFrom[o.OrderKey]; !ok && !inBatch[o.ID] {
			waitFrom[o.OrderKey] = o.ID
		}
	}
	return waitFrom, nil
}

// deleteQueuedMail deletes the messages still waiting to be sent about the
// given rows (their ref: a signature's id, say), with the address, name and
// live links they hold. One a worker is sending at this moment is deleted
// too: the worker checks its lease before the send and finds it gone.
func deleteQueuedMail(tx *gorm.DB, refs ...string) error {
	err := tx.Where("ref IN ? AND status = ?", refs, MailQueued).Delete(&MailMessage{}).Error
	return translate("delete queued mail", err)
}
