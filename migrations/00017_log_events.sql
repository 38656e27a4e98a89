-- The transparency log (issue 15), part one: what waits for the next batch.
--
-- A signature confirmed gets a receipt commitment: the SHA-256 of a random
-- receipt secret that only the signer saw (the secret itself is never
-- stored). The commitment is kept on the row only so that a later
-- withdrawal or invalidation can name the same leaf; anonymisation and
-- withdrawal remove it with the rest of the row. See docs/transparency.md.
--
-- log_events holds the leaves not yet appended. It has no time column on
-- purpose: a leaf carries its UTC day only, and the batcher appends a
-- batch in random order, so nothing tells when within the day one signed.

-- +goose Up
ALTER TABLE signatures ADD COLUMN receipt_commitment TEXT;
CREATE INDEX signatures_unlogged ON signatures (campaign_id) WHERE status = 'confirmed' AND receipt_commitment IS NULL;

CREATE TABLE log_events (
    campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    commitment  TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('confirmed', 'withdrawn', 'invalidated')),
    reason      TEXT NOT NULL DEFAULT '',
    day         TEXT NOT NULL,
    PRIMARY KEY (campaign_id, commitment, kind)
);

-- +goose Down
DROP TABLE log_events;
DROP INDEX signatures_unlogged;
ALTER TABLE signatures DROP COLUMN receipt_commitment;
