-- The transparency log (issue 15), part two: the appended log of each
-- campaign, from which the tlog-tiles endpoints are read.
--
-- log_trees: one row per campaign, the latest signed checkpoint; its row
--   lock (PostgreSQL) or the write lock (SQLite) makes one appender at a time.
-- log_entries: leaf i of the campaign's log, as the entry bundle carries it.
-- log_hashes: the stored hashes of golang.org/x/mod/sumdb/tlog (StoredHashIndex
--   order), base64; tiles are read from them.
-- log_tiles: every full hash tile (256 hashes), written once when it fills:
--   immutable, read by primary key; partial tiles are read from log_hashes.
-- log_checkpoints: every signed checkpoint, for digests and consistency proofs.
-- log_cosignatures: witnesses' cosignature lines, per checkpoint size.

-- +goose Up
CREATE TABLE log_trees (
    campaign_id TEXT PRIMARY KEY REFERENCES campaigns (id) ON DELETE CASCADE,
    size        BIGINT NOT NULL DEFAULT 0,
    counted     BIGINT NOT NULL DEFAULT 0,
    checkpoint  TEXT NOT NULL DEFAULT '',
    signed_at   TIMESTAMP
);

CREATE TABLE log_entries (
    campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    idx         BIGINT NOT NULL,
    leaf        TEXT NOT NULL,
    PRIMARY KEY (campaign_id, idx)
);

CREATE TABLE log_hashes (
    campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    idx         BIGINT NOT NULL,
    hash        TEXT NOT NULL,
    PRIMARY KEY (campaign_id, idx)
);

CREATE TABLE log_tiles (
    campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    level       INTEGER NOT NULL,
    n           BIGINT NOT NULL,
    data        TEXT NOT NULL,
    PRIMARY KEY (campaign_id, level, n)
);

CREATE TABLE log_checkpoints (
    campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    size        BIGINT NOT NULL,
    counted     BIGINT NOT NULL,
    checkpoint  TEXT NOT NULL,
    signed_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (campaign_id, size)
);

CREATE TABLE log_cosignatures (
    campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    size        BIGINT NOT NULL,
    witness     TEXT NOT NULL,
    signature   TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (campaign_id, size, witness)
);

-- +goose Down
DROP TABLE log_cosignatures;
DROP TABLE log_checkpoints;
DROP TABLE log_tiles;
DROP TABLE log_hashes;
DROP TABLE log_entries;
DROP TABLE log_trees;
