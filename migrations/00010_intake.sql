-- The intake of public requests whose answer must not tell whether an
-- address is known: signing, endorsing and asking for a password reset. A
-- request is accepted by one insert here, whatever the address, so that its
-- answer takes the same time either way (DESIGN.md privacy rule 6). The
-- payload is the whole request sealed with AES-GCM under the data key: no
-- address or name reaches the disk in plain text. A background worker
-- decides, in the transaction that deletes the row, what the request is
-- (a new signature, a duplicate still pending, an already confirmed one; an
-- account or none) and queues its email.

-- +goose Up
CREATE TABLE intake (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('signature', 'endorsement', 'password_reset')),
    campaign_id TEXT REFERENCES campaigns (id) ON DELETE CASCADE,
    payload     TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX intake_campaign ON intake (campaign_id);

-- +goose Down
DROP TABLE intake;
