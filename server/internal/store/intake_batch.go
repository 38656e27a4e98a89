package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// errClosed is returned by AcceptSignature once the store is closing.
var errClosed = errors.New("store: intake: closed")

// intakeBatcher is the group commit of the intake (see groupCommit): each
// batch is one multi-row INSERT and one commit. A full queue refuses at
// once (ErrBusy) rather than letting waits grow without bound.
type intakeBatcher struct {
	*groupCommit[*intakeRequest]
	db *gorm.DB
}

type intakeRequest struct {
	entry IntakeEntry
	done  chan error
}

// newIntakeBatcher starts writers goroutines that share a queue of size
// requests.
func newIntakeBatcher(db *gorm.DB, writers, size, maxBatch int) *intakeBatcher {
	b := &intakeBatcher{groupCommit: newGroupCommit[*intakeRequest](size, maxBatch), db: db}
	b.start(writers, b.commit)
	return b
}

// add queues one entry and waits until it is committed or failed.
func (b *intakeBatcher) add(ctx context.Context, e IntakeEntry) error {
	r := &intakeRequest{entry: e, done: make(chan error, 1)}
	if err := b.enqueue(ctx, r, false); err != nil {
		if errors.Is(err, ErrBusy) {
			return fmt.Errorf("store: accept signature: %w", err)
		}
		return err
	}
	// Queued: the outcome is awaited even if ctx ends.
	select {
	case err := <-r.done:
		return err
	case <-b.stopped:
		select {
		case err := <-r.done:
			return err
		default:
			return errClosed
		}
	}
}

// commit writes a batch in one statement and answers each request. If the
// statement fails (a campaign deleted meanwhile, say), each row is tried
// alone, so that one bad row does not fail the others.
func (b *intakeBatcher) commit(batch []*intakeRequest) {
	if len(batch) == 0 {
		return
	}
	ctx := context.Background()
	rows := make([]IntakeEntry, len(batch))
	for i, r := range batch {
		rows[i] = r.entry
	}
	err := b.db.WithContext(ctx).Create(&rows).Error
	b.commits.Add(1)
	b.requestsDone.Add(int64(len(batch)))
	if err == nil || len(batch) == 1 {
		for _, r := range batch {
			r.done <- translate("accept signature", err)
		}
		return
	}
	for _, r := range batch {
		b.commits.Add(1)
		r.done <- translate("accept signature", b.db.WithContext(ctx).Create(&r.entry).Error)
	}
}
