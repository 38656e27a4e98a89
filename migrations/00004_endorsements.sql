-- Organisations' endorsements (co-signatures) of a campaign, as a whole or
-- call by call, verified by their contact and reviewed by a moderator.
-- The contact's name and address are kept in plain text, since review
-- outcomes are emailed to them, and removed when the campaign's retention
-- ends; the IP hash is cleared after 48 hours, like a signature's.

-- +goose Up
-- name_key is the organisation's name normalised for comparison (lower
-- case, no punctuation, no legal-form suffix): a second submission while
-- unverified, and a likely duplicate at verification, are found by it.
-- website_host is the website's host without "www.", for the same reason.
-- duplicate_of names an earlier endorsement that looks like the same
-- organisation, for the moderator to see. language is the contact's, for
-- the emails that follow.
CREATE TABLE endorsements (
    id                TEXT PRIMARY KEY,
    campaign_id       TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    organization      TEXT NOT NULL,
    name_key          TEXT NOT NULL,
    display_name      TEXT NOT NULL,
    org_type          TEXT NOT NULL CHECK (org_type IN ('ngo', 'trade_union', 'media', 'diaspora', 'party', 'academic', 'other')),
    country           TEXT NOT NULL,
    website           TEXT NOT NULL DEFAULT '',
    website_host      TEXT NOT NULL DEFAULT '',
    statement         TEXT NOT NULL DEFAULT '',
    all_calls         BOOLEAN NOT NULL DEFAULT TRUE,
    confidential      BOOLEAN NOT NULL DEFAULT FALSE,
    contact_name      TEXT,
    contact_email     TEXT,
    language          TEXT NOT NULL DEFAULT 'en',
    status            TEXT NOT NULL CHECK (status IN ('unverified', 'awaiting_review', 'approved', 'rejected')),
    reject_reason     TEXT NOT NULL DEFAULT '',
    verify_token_hash TEXT,
    token_expires_at  TIMESTAMP NOT NULL,
    resends           INTEGER NOT NULL DEFAULT 0,
    duplicate_of      TEXT REFERENCES endorsements (id) ON DELETE SET NULL,
    ip_hash           TEXT,
    created_at        TIMESTAMP NOT NULL,
    verified_at       TIMESTAMP,
    reviewed_at       TIMESTAMP,
    reviewed_by       TEXT NOT NULL DEFAULT '',
    anonymised_at     TIMESTAMP
);
CREATE UNIQUE INDEX endorsements_verify_token ON endorsements (verify_token_hash);
-- One unverified endorsement per organisation, country and campaign: a
-- second submission sends the link again instead of adding a row.
CREATE UNIQUE INDEX endorsements_unverified_key ON endorsements (campaign_id, name_key, country)
    WHERE status = 'unverified';
-- What the public sees and counts: approved, not confidential.
CREATE INDEX endorsements_public ON endorsements (campaign_id, reviewed_at)
    WHERE status = 'approved' AND confidential = FALSE;
CREATE INDEX endorsements_review ON endorsements (status, created_at);
CREATE INDEX endorsements_name ON endorsements (campaign_id, name_key, country);
CREATE INDEX endorsements_host ON endorsements (campaign_id, website_host) WHERE website_host <> '';
CREATE INDEX endorsements_unverified_expiry ON endorsements (token_expires_at) WHERE status = 'unverified';
CREATE INDEX endorsements_ip_hash_age ON endorsements (created_at) WHERE ip_hash IS NOT NULL;

-- The calls an endorsement supports when it does not support them all.
CREATE TABLE endorsement_calls (
    endorsement_id TEXT NOT NULL REFERENCES endorsements (id) ON DELETE CASCADE,
    call_id        TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    PRIMARY KEY (endorsement_id, call_id)
);
CREATE INDEX endorsement_calls_call ON endorsement_calls (call_id);

-- +goose Down
DROP TABLE endorsement_calls;
DROP TABLE endorsements;
