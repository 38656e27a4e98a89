-- Citizens' signatures, shaped by the privacy rules of docs/privacy.md: no plain
-- email address (a keyed hash for deduplication, an encrypted copy only for
-- those who asked for updates), no IP address (a daily-salted keyed hash,
-- cleared after 48 hours), and the email domain in plain text only for large
-- webmail providers (a custom domain can name a person).

-- +goose Up
CREATE TABLE signatures (
    id                  TEXT PRIMARY KEY,
    campaign_id         TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    email_hash          TEXT NOT NULL,
    email_encrypted     TEXT,
    email_domain_hash   TEXT NOT NULL DEFAULT '',
    email_provider      TEXT NOT NULL DEFAULT '',
    name                TEXT,
    country             TEXT NOT NULL,
    comment             TEXT,
    visibility          TEXT NOT NULL CHECK (visibility IN ('private', 'initials', 'public')),
    updates             BOOLEAN NOT NULL DEFAULT FALSE,
    ref_code            TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'invalidated')),
    flagged             BOOLEAN NOT NULL DEFAULT FALSE,
    flag_reason         TEXT NOT NULL DEFAULT '',
    confirm_token_hash  TEXT,
    withdraw_token_hash TEXT,
    token_expires_at    TIMESTAMP NOT NULL,
    resends             INTEGER NOT NULL DEFAULT 0,
    ip_hash             TEXT,
    created_at          TIMESTAMP NOT NULL,
    confirmed_at        TIMESTAMP,
    anonymised_at       TIMESTAMP
);
CREATE UNIQUE INDEX signatures_campaign_email ON signatures (campaign_id, email_hash);
CREATE UNIQUE INDEX signatures_confirm_token ON signatures (confirm_token_hash);
CREATE UNIQUE INDEX signatures_withdraw_token ON signatures (withdraw_token_hash);
-- What counts: confirmed, not shadow-flagged.
CREATE INDEX signatures_counted ON signatures (campaign_id, confirmed_at)
    WHERE status = 'confirmed' AND flagged = FALSE;
CREATE INDEX signatures_created ON signatures (campaign_id, created_at);
CREATE INDEX signatures_pending_expiry ON signatures (token_expires_at) WHERE status = 'pending';
CREATE INDEX signatures_ip_hash_age ON signatures (created_at) WHERE ip_hash IS NOT NULL;

-- +goose Down
DROP TABLE signatures;
