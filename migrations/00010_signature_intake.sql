-- The intake of signing requests. A request is accepted by one insert here,
-- whatever the address, so that its answer takes the same time whether the
-- address has signed before or not (DESIGN.md privacy rules). The payload is
-- the whole request sealed with AES-GCM under the data key: no address or
-- name reaches the disk in plain text. A background worker decides, in the
-- transaction that deletes the row, whether it is a new signature, a
-- duplicate still pending or an already confirmed one.

-- +goose Up
CREATE TABLE signature_intake (
    id          TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    payload     TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX signature_intake_campaign ON signature_intake (campaign_id);

-- +goose Down
DROP TABLE signature_intake;
