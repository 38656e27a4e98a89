package store

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// LogTree is the latest signed checkpoint of a campaign's log.
type LogTree struct {
	CampaignID string
	Size       int64
	Counted    int64  // confirmed minus removed leaves, up to Size
	Checkpoint string // the signed note, as served
	SignedAt   *time.Time
}

// TableName maps LogTree to its table.
func (LogTree) TableName() string { return "log_trees" }

// LogCheckpoint is one signed checkpoint of a campaign's history.
type LogCheckpoint struct {
	CampaignID string
	Size       int64
	Counted    int64
	Checkpoint string
	SignedAt   time.Time
}

// TableName maps LogCheckpoint to its table.
func (LogCheckpoint) TableName() string { return "log_checkpoints" }

type logEntry struct {
	CampaignID string
	Idx        int64
	Leaf       string
}

func (logEntry) TableName() string { return "log_entries" }

// LogTile is a full hash tile of a campaign's log.
type LogTile struct {
	CampaignID string
	Level      int
	N          int64
	Data       []byte `gorm:"-"`
	Encoded    string `gorm:"column:data"`
}

// TableName maps LogTile to its table.
func (LogTile) TableName() string { return "log_tiles" }

type logHash struct {
	CampaignID string
	Idx        int64
	Hash       string
}

func (logHash) TableName() string { return "log_hashes" }

// LogBatch is what an append is given: the tree as it is, the leaves that
// wait (in no particular order), and a reader of the stored hashes.
type LogBatch struct {
	Tree   LogTree
	Events []LogEvent
	// ReadHashes reads stored hashes by their tlog.StoredHashIndex.
	ReadHashes func(idx []int64) ([][]byte, error)
}

// LogAppend is what an append writes: the new leaves in log order, the new
// stored hashes by index, the hash tiles it filled, and the new signed
// checkpoint.
type LogAppend struct {
	Leaves     []string
	Hashes     map[int64][]byte
	Tiles      []LogTile
	Size       int64
	Counted    int64
	Checkpoint string
}

// AppendLog appends the campaign's waiting leaves to its log in one
// transaction, holding the campaign's log lock (the tree's row lock on
// PostgreSQL, the write lock on SQLite), so that several instances never
// append at once and a crash leaves either the whole batch with its
// checkpoint or nothing. build computes the hashes and signs the
// checkpoint; it is not called when nothing waits. It reports whether it
// appended.
func (s *Store) AppendLog(ctx context.Context, campaignID string, build func(LogBatch) (*LogAppend, error)) (bool, error) {
	appended := false
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&LogTree{CampaignID: campaignID}).Error
		if err != nil {
			return translate("append log", err)
		}
		q := tx.Where("campaign_id = ?", campaignID)
		if s.postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var tree LogTree
		if err := q.Take(&tree).Error; err != nil {
			return translate("append log", err)
		}
		var evs []LogEvent
		if err := tx.Where("campaign_id = ?", campaignID).Find(&evs).Error; err != nil {
			return translate("append log", err)
		}
		if len(evs) == 0 {
			return nil
		}
		out, err := build(LogBatch{Tree: tree, Events: evs, ReadHashes: func(idx []int64) ([][]byte, error) {
			return readLogHashes(tx, s.postgres, campaignID, idx)
		}})
		if err != nil {
			return fmt.Errorf("store: append log: %w", err)
		}
		if err := writeLogAppend(tx, campaignID, tree.Size, out); err != nil {
			return err
		}
		for _, ev := range evs {
			err := tx.Where("campaign_id = ? AND commitment = ? AND kind = ?", campaignID, ev.Commitment, ev.Kind).Delete(&LogEvent{}).Error
			if err != nil {
				return translate("append log", err)
			}
		}
		appended = true
		return nil
	})
	return appended, err
}

func writeLogAppend(tx *gorm.DB, campaignID string, oldSize int64, out *LogAppend) error {
	entries := make([]logEntry, len(out.Leaves))
	for i, leaf := range out.Leaves {
		entries[i] = logEntry{CampaignID: campaignID, Idx: oldSize + int64(i), Leaf: leaf}
	}
	if err := tx.CreateInBatches(entries, 500).Error; err != nil {
		return translate("append log entries", err)
	}
	hashes := make([]logHash, 0, len(out.Hashes))
	for idx, h := range out.Hashes {
		hashes = append(hashes, logHash{CampaignID: campaignID, Idx: idx, Hash: base64.StdEncoding.EncodeToString(h)})
	}
	if err := tx.CreateInBatches(hashes, 500).Error; err != nil {
		return translate("append log hashes", err)
	}
	for i := range out.Tiles {
		out.Tiles[i].CampaignID = campaignID
		out.Tiles[i].Encoded = base64.StdEncoding.EncodeToString(out.Tiles[i].Data)
	}
	if err := tx.CreateInBatches(out.Tiles, 100).Error; err != nil {
		return translate("append log tiles", err)
	}
	t := now()
	cp := LogCheckpoint{CampaignID: campaignID, Size: out.Size, Counted: out.Counted, Checkpoint: out.Checkpoint, SignedAt: t}
	if err := tx.Create(&cp).Error; err != nil {
		return translate("append log checkpoint", err)
	}
	err := tx.Model(&LogTree{}).Where("campaign_id = ?", campaignID).Updates(map[string]any{
		"size": out.Size, "counted": out.Counted, "checkpoint": out.Checkpoint, "signed_at": t}).Error
	return translate("append log tree", err)
}

func readLogHashes(db *gorm.DB, postgres bool, campaignID string, idx []int64) ([][]byte, error) {
	if len(idx) == 0 {
		return nil, nil
	}
	var rows []logHash
	var err error
	if postgres {
		// One primary-key lookup per index, whatever the planner's
		// statistics of a freshly filled table say (an IN list made it scan
		// the campaign's every hash).
		list := make([]string, len(idx))
		for i, x := range idx {
			list[i] = strconv.FormatInt(x, 10)
		}
		err = db.Raw(`SELECT h.idx, h.hash FROM unnest(?::bigint[]) AS want(idx)
			JOIN log_hashes h ON h.campaign_id = ? AND h.idx = want.idx`, "{"+strings.Join(list, ",")+"}", campaignID).Scan(&rows).Error
	} else {
		lo, hi := slices.Min(idx), slices.Max(idx)
		err = db.Where("campaign_id = ? AND idx BETWEEN ? AND ? AND idx IN ?", campaignID, lo, hi, idx).Find(&rows).Error
	}
	if err != nil {
		return nil, translate("read log hashes", err)
	}
	byIdx := make(map[int64]string, len(rows))
	for _, r := range rows {
		byIdx[r.Idx] = r.Hash
	}
	out := make([][]byte, len(idx))
	for i, x := range idx {
		h, ok := byIdx[x]
		if !ok {
			return nil, fmt.Errorf("store: read log hashes: hash %d missing", x)
		}
		b, err := base64.StdEncoding.DecodeString(h)
		if err != nil {
			return nil, fmt.Errorf("store: read log hashes: hash %d: %w", x, err)
		}
		out[i] = b
	}
	return out, nil
}

// ReadLogHashes reads stored hashes of a campaign's log by index.
func (s *Store) ReadLogHashes(ctx context.Context, campaignID string, idx []int64) ([][]byte, error) {
	return readLogHashes(s.conn(ctx), s.postgres, campaignID, idx)
}

// FullLogTile returns a full hash tile written when it filled, or
// ErrNotFound.
func (s *Store) FullLogTile(ctx context.Context, campaignID string, level int, n int64) ([]byte, error) {
	var t LogTile
	err := s.conn(ctx).Where("campaign_id = ? AND level = ? AND n = ?", campaignID, level, n).Take(&t).Error
	if err != nil {
		return nil, translate("log tile", err)
	}
	b, err := base64.StdEncoding.DecodeString(t.Encoded)
	if err != nil {
		return nil, fmt.Errorf("store: log tile: %w", err)
	}
	return b, nil
}

// LogTreeOf returns the latest checkpoint of a campaign's log (Size 0 and
// no checkpoint before its first batch).
func (s *Store) LogTreeOf(ctx context.Context, campaignID string) (LogTree, error) {
	var t LogTree
	err := s.conn(ctx).Where("campaign_id = ?", campaignID).Take(&t).Error
	if err == gorm.ErrRecordNotFound {
		return LogTree{CampaignID: campaignID}, nil
	}
	return t, translate("log tree", err)
}

// LogTrees returns the latest checkpoint of every campaign's log by id.
func (s *Store) LogTrees(ctx context.Context) (map[string]LogTree, error) {
	var ts []LogTree
	if err := s.conn(ctx).Find(&ts).Error; err != nil {
		return nil, translate("log trees", err)
	}
	out := make(map[string]LogTree, len(ts))
	for _, t := range ts {
		out[t.CampaignID] = t
	}
	return out, nil
}

// LogCheckpointAt returns the checkpoint of a campaign's log at one size.
func (s *Store) LogCheckpointAt(ctx context.Context, campaignID string, size int64) (LogCheckpoint, error) {
	var cp LogCheckpoint
	err := s.conn(ctx).Where("campaign_id = ? AND size = ?", campaignID, size).Take(&cp).Error
	return cp, translate("log checkpoint", err)
}

// LogEntries returns the leaves of a campaign's log from index from
// (inclusive) to to (exclusive).
func (s *Store) LogEntries(ctx context.Context, campaignID string, from, to int64) ([]string, error) {
	var rows []logEntry
	err := s.conn(ctx).Where("campaign_id = ? AND idx >= ? AND idx < ?", campaignID, from, to).Order("idx").Find(&rows).Error
	if err != nil {
		return nil, translate("log entries", err)
	}
	if int64(len(rows)) != to-from {
		return nil, fmt.Errorf("store: log entries: %d of %d present", len(rows), to-from)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Leaf
	}
	return out, nil
}

// LogStorageBytes is what the transparency logs take on disk, indexes
// included (PostgreSQL only: for the benchmark).
func (s *Store) LogStorageBytes(ctx context.Context) (int64, error) {
	var n int64
	err := s.conn(ctx).Raw(`SELECT COALESCE(SUM(pg_total_relation_size(t::regclass)), 0) FROM
		unnest(ARRAY['log_entries', 'log_hashes', 'log_checkpoints', 'log_trees']) AS t`).Scan(&n).Error
	return n, translate("log storage", err)
}
