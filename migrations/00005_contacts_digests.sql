-- Officials who receive digests, the digests with their delivery (one
-- mail_messages row per digest and contact, by dedupe_key), and weekly
-- schedules.

-- +goose Up
-- unsubscribe_token_hash is the hash of a token derived from the contact's
-- id with a key from DATA_KEY: the link can be rebuilt for every digest,
-- and only its hash is stored.
CREATE TABLE contacts (
    id                     TEXT PRIMARY KEY,
    name                   TEXT NOT NULL,
    email                  TEXT NOT NULL,
    title                  TEXT NOT NULL DEFAULT '',
    institution            TEXT NOT NULL DEFAULT '',
    region                 TEXT NOT NULL CHECK (region IN ('eu', 'us', 'other')),
    country                TEXT NOT NULL DEFAULT '',
    language               TEXT NOT NULL DEFAULT 'en',
    tags                   TEXT NOT NULL DEFAULT '',
    unsubscribe_token_hash TEXT NOT NULL,
    unsubscribed_at        TIMESTAMP,
    resubscribe_reason     TEXT NOT NULL DEFAULT '',
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX contacts_email_key ON contacts (email);
CREATE UNIQUE INDEX contacts_unsubscribe_token ON contacts (unsubscribe_token_hash);
CREATE INDEX contacts_region ON contacts (region) WHERE unsubscribed_at IS NULL;

-- content is the snapshot taken when sending starts (JSON): every
-- recipient gets the same numbers, however long delivery takes.
CREATE TABLE digests (
    id          TEXT PRIMARY KEY,
    region      TEXT NOT NULL CHECK (region IN ('eu', 'us', 'other')),
    subject     TEXT NOT NULL,
    intro       TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('draft', 'sending', 'sent', 'cancelled')),
    content     TEXT,
    recipients  INTEGER NOT NULL DEFAULT 0,
    schedule_id TEXT,
    period      TEXT,
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    sending_at  TIMESTAMP,
    sent_at     TIMESTAMP
);
CREATE UNIQUE INDEX digests_schedule_period ON digests (schedule_id, period);
CREATE INDEX digests_region_sent ON digests (region, sent_at);

CREATE TABLE digest_campaigns (
    digest_id   TEXT NOT NULL REFERENCES digests (id) ON DELETE CASCADE,
    campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    PRIMARY KEY (digest_id, campaign_id)
);

CREATE TABLE schedules (
    id          TEXT PRIMARY KEY,
    region      TEXT NOT NULL CHECK (region IN ('eu', 'us', 'other')),
    weekday     INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    local_time  TEXT NOT NULL,
    timezone    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    intro       TEXT NOT NULL DEFAULT '',
    campaigns   TEXT NOT NULL DEFAULT '[]',
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE schedules;
DROP TABLE digest_campaigns;
DROP TABLE digests;
DROP TABLE contacts;
