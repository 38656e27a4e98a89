package store

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// campaignKey is a campaign's deduplication key, wrapped (encrypted) by the
// caller with DATA_KEY: the store never sees it in the clear.
type campaignKey struct {
	CampaignID string `gorm:"primaryKey"`
	DedupKey   string
	CreatedAt  time.Time
}

func (campaignKey) TableName() string { return "campaign_keys" }

// ErrCampaignClosed refuses a deduplication key to a campaign that is
// closed: its key has been, or is about to be, destroyed.
var ErrCampaignClosed = errors.New("campaign closed")

// ErrNoDedupKey: the campaign has no deduplication key yet, and none was
// to be made.
var ErrNoDedupKey = errors.New("campaign has no dedup key yet")

// CampaignDedupKey returns the wrapped deduplication key of an open (or
// draft) campaign, storing fresh as its key if it has none yet (with fresh
// "", ErrNoDedupKey instead). Two instances racing keep the first key
// stored, and both get it.
func (s *Store) CampaignDedupKey(ctx context.Context, campaignID, fresh string) (string, error) {
	var k campaignKey
	err := s.conn(ctx).Where("campaign_id = ?", campaignID).Take(&k).Error
	if err == nil {
		return k.DedupKey, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return "", translate("campaign dedup key", err)
	}
	var status string
	if err := s.conn(ctx).Model(&Campaign{}).Where("id = ?", campaignID).Pluck("status", &status).Error; err != nil {
		return "", translate("campaign dedup key", err)
	}
	switch status {
	case "":
		return "", ErrNotFound
	case StatusClosed:
		return "", ErrCampaignClosed
	}
	if fresh == "" {
		return "", ErrNoDedupKey
	}
	err = s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&campaignKey{CampaignID: campaignID, DedupKey: fresh, CreatedAt: now()}).Error
	if err != nil {
		return "", translate("campaign dedup key", err)
	}
	if err := s.conn(ctx).Where("campaign_id = ?", campaignID).Take(&k).Error; err != nil {
		return "", translate("campaign dedup key", err)
	}
	return k.DedupKey, nil
}

// ShredCampaign destroys a closed campaign's deduplication key and the
// hashes made with it (crypto-shredding): afterwards nothing in the
// database, nor in any later copy of it, can tell whether an address
// signed. Pending signatures stay, but mail still queued for the
// campaign's signers is deleted; counted rows keep country and dates. It then asks the database to let go of the old
// bytes it can reach: see docs/threat-model.md for what each keeps.
func (s *Store) ShredCampaign(ctx context.Context, campaignID string) error {
	t := now()
	var xid string
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("campaign_id = ?", campaignID).Delete(&campaignKey{}).Error; err != nil {
			return translate("shred campaign key", err)
		}
		// Mail still queued for its signers (a relay that was down, or
		// blocked) would keep their addresses and names, under DATA_KEY,
		// past the close: the campaign no longer takes signatures, so it goes.
		// So does mail to its endorsements' contacts. An update sent after
		// the close (by staff, with the identity) is left to be delivered.
		var camp Campaign
		if err := tx.Select("id, closed_at").Where("id = ?", campaignID).Take(&camp).Error; err != nil {
			return translate("shred campaign", err)
		}
		q := tx.Where("status = ? AND (ref IN (?) OR ref IN (?))", MailQueued,
			tx.Model(&Signature{}).Select("id").Where("campaign_id = ?", campaignID),
			tx.Model(&Endorsement{}).Select("id").Where("campaign_id = ?", campaignID))
		if camp.ClosedAt != nil {
			q = q.Where("(dedupe_key IS NULL OR dedupe_key NOT LIKE 'update:%' OR created_at <= ?)", *camp.ClosedAt)
		}
		if err := q.Delete(&MailMessage{}).Error; err != nil {
			return translate("shred campaign mail", err)
		}
		// The contacts of its endorsements: the server's own copy and the
		// lookup hash go (the coalition's sealed copy stays); a review
		// after the close emails nobody.
		err := tx.Model(&Endorsement{}).Where("campaign_id = ? AND (contact_encrypted IS NOT NULL OR contact_hash IS NOT NULL)", campaignID).
			Updates(map[string]any{"contact_encrypted": nil, "contact_hash": nil}).Error
		if err != nil {
			return translate("shred campaign contacts", err)
		}
		err = tx.Model(&Signature{}).Where("campaign_id = ? AND email_hash NOT LIKE 'closed:%' AND email_hash NOT LIKE 'anonymised:%'", campaignID).
			Updates(map[string]any{"email_hash": gorm.Expr("'closed:' || id"), "email_domain_hash": "", "ip_hash": nil}).Error
		if err != nil {
			return translate("shred campaign hashes", err)
		}
		if s.postgres {
			// The deleting transaction's id, to know when no snapshot that
			// can still see the key is left (32-bit form, as backend_xmin).
			if err := tx.Raw("SELECT (txid_current() % 4294967296)::text").Row().Scan(&xid); err != nil {
				return translate("shred campaign", err)
			}
		}
		return translate("shred campaign", tx.Model(&Campaign{}).Where("id = ?", campaignID).
			Updates(map[string]any{"shredded_at": t, "scrubbed_at": nil}).Error)
	})
	if err != nil {
		return err
	}
	if s.scrubDeleted(ctx, xid, closeScrubTables...) {
		err := s.conn(ctx).Model(&Campaign{}).Where("id = ?", campaignID).Update("scrubbed_at", now()).Error
		return translate("shred campaign", err)
	}
	return nil
}

// currentXID is a transaction id newer than every change made so far (32-bit
// form, as backend_xmin), on PostgreSQL; "" on SQLite.
func (s *Store) currentXID(ctx context.Context) string {
	if !s.postgres {
		return ""
	}
	var xid string
	if err := s.conn(ctx).Raw("SELECT (txid_current() % 4294967296)::text").Row().Scan(&xid); err != nil {
		slog.Warn("store: transaction id", "err", err)
	}
	return xid
}

// scrubWait bounds how long a close waits for older snapshots to end.
const scrubWait = 20 * time.Second

// closeScrubTables are the tables a close rewrites on PostgreSQL: those
// that held keys or (encrypted) addresses and names: the campaign keys,
// the mail queue, the dev outbox, the intake and the endorsements (their
// contacts' encrypted copies).
var closeScrubTables = []string{"campaign_keys", "mail_messages", "dev_outbox", "intake", "endorsements"}

// mailScrubTables are the tables an update send rewrites once delivered.
var mailScrubTables = []string{"mail_messages", "dev_outbox"}

// scrubDeleted makes the database drop what it still keeps of deleted
// rows where it can (docs/threat-model.md), and reports whether it could.
// SQLite runs with secure_delete on (deleted cells are zeroed in the
// file), and a TRUNCATE checkpoint empties the WAL, whose older frames
// still held the rows. On PostgreSQL a plain VACUUM frees dead tuples but
// leaves their bytes in the page, so VACUUM FULL rewrites the given tables
// into new files (it also drops the values of dropped columns). A row is kept,
// even by VACUUM FULL, while a snapshot older than its deletion may still
// read it, so it first waits (up to scrubWait) until no session of this
// database holds one; otherwise it reports false, and housekeeping tries
// again. It takes each table's lock for as long as the copy takes, which
// is why it runs at close, not on every delete. A CHECKPOINT then lets the
// WAL segments that held the rows be recycled.
func (s *Store) scrubDeleted(ctx context.Context, xid string, tables ...string) bool {
	if !s.postgres {
		err := s.conn(ctx).Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error
		if err != nil {
			slog.Warn("store: scrub after shredding", "err", err)
		}
		return err == nil
	}
	clear := xid == "" || s.waitOlderSnapshots(ctx, xid)
	var stmts []string
	for _, table := range tables {
		var exists bool
		if err := s.conn(ctx).Raw("SELECT to_regclass(?) IS NOT NULL", table).Row().Scan(&exists); err == nil && exists {
			stmts = append(stmts, "VACUUM FULL "+table)
		}
	}
	stmts = append(stmts, "CHECKPOINT")
	for _, q := range stmts {
		if err := s.conn(ctx).Exec(q).Error; err != nil {
			slog.Warn("store: scrub after shredding", "statement", q, "err", err)
			clear = false
		}
	}
	return clear
}

// waitOlderSnapshots waits until no other session (of any database: the
// measured horizon of VACUUM FULL is cluster-wide) holds
// a snapshot from before transaction xid, or runs a transaction older than
// it (VACUUM keeps rows for both), and reports whether it saw that.
func (s *Store) waitOlderSnapshots(ctx context.Context, xid string) bool {
	deadline := time.Now().Add(scrubWait)
	for {
		var older int64
		err := s.conn(ctx).Raw(`SELECT count(*) FROM pg_stat_activity
			WHERE pid <> pg_backend_pid()
			AND ((backend_xmin IS NOT NULL AND age(backend_xmin) >= age(?::xid))
			  OR (backend_xid IS NOT NULL AND age(backend_xid) > age(?::xid)))`, xid, xid).Row().Scan(&older)
		if err != nil {
			slog.Warn("store: scrub after shredding", "err", err)
			return false
		}
		if older == 0 {
			return true
		}
		if time.Now().After(deadline) {
			slog.Warn("store: a long transaction still sees a destroyed key; housekeeping will scrub again", "sessions", older)
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// ShredClosed shreds every closed campaign that still has a key, or whose
// hashes were never shredded, and returns how many it shredded. It runs
// at close and in housekeeping, so a crash between the two is caught.
func (s *Store) ShredClosed(ctx context.Context) (int64, error) {
	var ids []string
	err := s.conn(ctx).Model(&Campaign{}).
		Where("status = ? AND (shredded_at IS NULL OR scrubbed_at IS NULL OR id IN (SELECT campaign_id FROM campaign_keys))", StatusClosed).
		Pluck("id", &ids).Error
	if err != nil {
		return 0, translate("shred closed", err)
	}
	for _, id := range ids {
		if err := s.ShredCampaign(ctx, id); err != nil {
			return 0, err
		}
	}
	return int64(len(ids)), nil
}

// LegacySignature is a row signed before sealing: a DATA_KEY-encrypted
// address, or a private name or comment in plain text.
type LegacySignature struct {
	ID             string
	EmailEncrypted *string
	Name           *string
	Comment        *string
	Visibility     string
}

// LegacySignatures returns up to limit rows that still hold data from
// before sealing.
func (s *Store) LegacySignatures(ctx context.Context, limit int) ([]LegacySignature, error) {
	var rows []LegacySignature
	err := s.conn(ctx).Model(&Signature{}).Select("id, email_encrypted, name, comment, visibility").
		Where("email_encrypted IS NOT NULL OR comment IS NOT NULL OR (visibility = ? AND name IS NOT NULL)", VisibilityPrivate).
		Limit(limit).Scan(&rows).Error
	return rows, translate("legacy signatures", err)
}

// SealLegacySignature replaces a legacy row's readable data by its sealed
// form: the DATA_KEY address and the comment always go, and a private
// row's plain name (nil sealed values are left out).
func (s *Store) SealLegacySignature(ctx context.Context, id string, private bool, emailSealed, nameSealed, commentSealed *string) error {
	changes := map[string]any{"email_encrypted": nil, "comment": nil}
	if emailSealed != nil {
		changes["email_sealed"] = emailSealed
	}
	if private {
		changes["name"] = nil
		if nameSealed != nil {
			changes["name_sealed"] = nameSealed
		}
	}
	if commentSealed != nil {
		changes["comment_sealed"], changes["has_comment"] = commentSealed, true
	}
	return translate("seal legacy signature", s.conn(ctx).Model(&Signature{}).Where("id = ?", id).Updates(changes).Error)
}

// IntakeCampaigns lists the campaigns that signing requests in the intake
// are for.
func (s *Store) IntakeCampaigns(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.conn(ctx).Model(&IntakeEntry{}).Where("campaign_id IS NOT NULL").Distinct("campaign_id").Pluck("campaign_id", &ids).Error
	return ids, translate("intake campaigns", err)
}
