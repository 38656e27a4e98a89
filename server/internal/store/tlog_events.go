package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Kinds of transparency-log events (issue 15). Each becomes one leaf.
const (
	LogConfirmed   = "confirmed"
	LogWithdrawn   = "withdrawn"
	LogInvalidated = "invalidated"
)

// Reason codes of invalidated leaves: public, so they name a category and
// never a person or a domain.
const (
	ReasonDuplicate        = "duplicate"
	ReasonDisposableDomain = "disposable_domain"
	ReasonFraudSurge       = "fraud_surge"
	ReasonAddressLimit     = "address_limit"
	ReasonOther            = "other"
)

// InvalidationReasons lists the reason codes staff may give.
var InvalidationReasons = []string{ReasonDuplicate, ReasonDisposableDomain, ReasonFraudSurge, ReasonAddressLimit, ReasonOther}

// LogEvent is a leaf waiting for the next batch: a receipt commitment (hex
// SHA-256 of the signer's receipt secret), the kind, a reason code for
// invalidations, and the UTC day. Nothing else: no time, no person.
type LogEvent struct {
	CampaignID string
	Commitment string
	Kind       string
	Reason     string
	Day        string
}

// TableName maps LogEvent to its table.
func (LogEvent) TableName() string { return "log_events" }

// logDay is the day a leaf carries: UTC, to the day, never finer.
func logDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// flagReasonCodes maps shadow flags' internal reasons to public codes;
// any other reason is ReasonOther.
var flagReasonCodes = []struct{ reason, code string }{
	{"disposable email domain", ReasonDisposableDomain},
	{"over the per-address limit", ReasonAddressLimit},
}

// flagReasonCode turns a shadow flag's internal reason into a public code.
func flagReasonCode(reason string) string {
	for _, f := range flagReasonCodes {
		if f.reason == reason {
			return f.code
		}
	}
	return ReasonOther
}

// flagReasonCodeSQL is flagReasonCode in SQL, of column, with its
// arguments: for a statement that writes the leaves itself.
func flagReasonCodeSQL(column string) (string, []any) {
	sql, args := "CASE "+column, []any{}
	for _, f := range flagReasonCodes {
		sql += " WHEN ? THEN ?"
		args = append(args, f.reason, f.code)
	}
	return sql + " ELSE ? END", append(args, ReasonOther)
}

// queueLogEvents records leaves for the next batch, in the caller's
// transaction, so that a confirmation and its leaf commit together.
func queueLogEvents(tx *gorm.DB, evs ...LogEvent) error {
	if len(evs) == 0 {
		return nil
	}
	err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&evs).Error
	return translate("queue log events", err)
}

// logConfirmation queues the leaf of a confirmation. A shadow-flagged
// signature is confirmed but not counted: its removal is queued with it, so
// that the public count stays the log's count and the removal is visible.
func logConfirmation(tx *gorm.DB, campaignID, commitment string, flagged bool, flagReason string, t time.Time) error {
	return queueLogEvents(tx, confirmationEvents(campaignID, commitment, flagged, flagReason, t)...)
}

// confirmationEvents are the leaves of one confirmation (see logConfirmation).
func confirmationEvents(campaignID, commitment string, flagged bool, flagReason string, t time.Time) []LogEvent {
	evs := []LogEvent{{CampaignID: campaignID, Commitment: commitment, Kind: LogConfirmed, Day: logDay(t)}}
	if flagged {
		evs = append(evs, LogEvent{CampaignID: campaignID, Commitment: commitment, Kind: LogInvalidated,
			Reason: flagReasonCode(flagReason), Day: logDay(t)})
	}
	return evs
}

// loggedSignature is what a removal needs to know of a signature.
type loggedSignature struct {
	ID                string
	CampaignID        string
	Status            string
	Flagged           bool
	ReceiptCommitment *string
}

// logRemovals queues a removal leaf (withdrawn or invalidated) for each
// signature that counts now; others never counted, or were removed already
// (shadow-flagged). A counted signature confirmed before the log existed
// gets its confirmation leaf first, under a fresh random commitment.
func logRemovals(tx *gorm.DB, sigs []loggedSignature, kind, reason string, t time.Time) error {
	var evs []LogEvent
	for _, sig := range sigs {
		if sig.Status != SignatureConfirmed || sig.Flagged {
			continue
		}
		commitment := ""
		if sig.ReceiptCommitment != nil {
			commitment = *sig.ReceiptCommitment
		} else {
			commitment = randomCommitment()
			evs = append(evs, LogEvent{CampaignID: sig.CampaignID, Commitment: commitment, Kind: LogConfirmed, Day: logDay(t)})
		}
		evs = append(evs, LogEvent{CampaignID: sig.CampaignID, Commitment: commitment, Kind: kind, Reason: reason, Day: logDay(t)})
	}
	return queueLogEvents(tx, evs...)
}

// randomCommitment commits to a secret nobody keeps: for signatures
// confirmed before the log existed, whose signers hold no receipt.
func randomCommitment() string {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	sum := sha256.Sum256(secret)
	return hex.EncodeToString(sum[:])
}

// BackfillLog gives every counted signature confirmed before the log
// existed (or by an older instance during an upgrade) its confirmation
// leaf, so that the log's count is the signature count. It returns how many
// it queued.
func (s *Store) BackfillLog(ctx context.Context) (int64, error) {
	var total int64
	for {
		var sigs []struct {
			ID          string
			CampaignID  string
			Flagged     bool
			FlagReason  string
			ConfirmedAt *time.Time
		}
		err := s.conn(ctx).Model(&Signature{}).Select("id, campaign_id, flagged, flag_reason, confirmed_at").
			Where("status = ? AND receipt_commitment IS NULL", SignatureConfirmed).Limit(500).Find(&sigs).Error
		if err != nil || len(sigs) == 0 {
			return total, translate("backfill log", err)
		}
		err = s.conn(ctx).Transaction(func(tx *gorm.DB) error {
			for _, sig := range sigs {
				c := randomCommitment()
				res := tx.Model(&Signature{}).Where("id = ? AND receipt_commitment IS NULL", sig.ID).Update("receipt_commitment", c)
				if res.Error != nil {
					return translate("backfill log", res.Error)
				}
				if res.RowsAffected == 0 {
					continue
				}
				day := now()
				if sig.ConfirmedAt != nil {
					day = *sig.ConfirmedAt
				}
				if err := logConfirmation(tx, sig.CampaignID, c, sig.Flagged, sig.FlagReason, day); err != nil {
					return err
				}
				total++
			}
			return nil
		})
		if err != nil {
			return total, err
		}
	}
}

// LogPendingCampaigns lists the campaigns with leaves waiting.
func (s *Store) LogPendingCampaigns(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.conn(ctx).Model(&LogEvent{}).Distinct("campaign_id").Pluck("campaign_id", &ids).Error
	return ids, translate("log pending campaigns", err)
}

// pendingDelta is the effect on the count of the leaves waiting: +1 per
// confirmation, -1 per removal.
const pendingDeltaSQL = "SUM(CASE WHEN kind = 'confirmed' THEN 1 ELSE -1 END)"

// SignatureCounts returns every campaign's public count by id: the count
// of its log as of the latest checkpoint plus what waits for the next
// batch (issue 15: the public count is the log's count).
func (s *Store) SignatureCounts(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		CampaignID string
		N          int64
	}
	err := s.conn(ctx).Raw(`SELECT campaign_id, SUM(n) AS n FROM (
		SELECT campaign_id, counted AS n FROM log_trees
		UNION ALL SELECT campaign_id, ` + pendingDeltaSQL + ` AS n FROM log_events GROUP BY campaign_id) c
		GROUP BY campaign_id`).Scan(&rows).Error
	if err != nil {
		return nil, translate("signature counts", err)
	}
	counts := make(map[string]int64, len(rows))
	for _, r := range rows {
		counts[r.CampaignID] = r.N
	}
	return counts, nil
}

// SignatureCount returns one campaign's public count, as SignatureCounts.
func (s *Store) SignatureCount(ctx context.Context, campaignID string) (int64, error) {
	var n struct{ N *int64 }
	err := s.conn(ctx).Raw(`SELECT (SELECT COALESCE(SUM(counted), 0) FROM log_trees WHERE campaign_id = ?)
		+ (SELECT COALESCE(`+pendingDeltaSQL+`, 0) FROM log_events WHERE campaign_id = ?) AS n`, campaignID, campaignID).Scan(&n).Error
	if err != nil || n.N == nil {
		return 0, translate("signature count", err)
	}
	return *n.N, nil
}

// CountedSignatures counts the signatures of a campaign that count, from
// the signatures themselves: the log's count must always equal it.
func (s *Store) CountedSignatures(ctx context.Context, campaignID string) (int64, error) {
	var n int64
	err := counted(s.conn(ctx).Model(&Signature{})).Where("campaign_id = ?", campaignID).Count(&n).Error
	return n, translate("counted signatures", err)
}
