-- The durable mail queue, the dev outbox and staff password resets.

-- +goose Up
-- One row per email to send. recipient and params (which may hold a
-- confirmation token) are cleared as soon as the message is sent or has
-- failed for good: what stays is what the delivery report needs.
-- dedupe_key, when set, makes enqueueing idempotent: one message per
-- (digest, contact), however often a digest is sent.
CREATE TABLE mail_messages (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    ref             TEXT NOT NULL DEFAULT '',
    dedupe_key      TEXT,
    recipient       TEXT,
    language        TEXT NOT NULL DEFAULT 'en',
    params          TEXT,
    message_id      TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until     TIMESTAMP,
    leased_by       TEXT NOT NULL DEFAULT '',
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    finished_at     TIMESTAMP
);
CREATE UNIQUE INDEX mail_messages_dedupe_key ON mail_messages (dedupe_key);
CREATE INDEX mail_messages_due ON mail_messages (next_attempt_at) WHERE status = 'queued';
CREATE INDEX mail_messages_ref ON mail_messages (ref, status);

-- Mail that would have gone out, when no SMTP_URL is configured: so that a
-- newcomer can follow every email flow on one machine.
CREATE TABLE dev_outbox (
    id         TEXT PRIMARY KEY,
    message_id TEXT NOT NULL,
    kind       TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    headers    TEXT NOT NULL DEFAULT '{}',
    body_text  TEXT NOT NULL,
    body_html  TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX dev_outbox_created_at ON dev_outbox (created_at);

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX password_resets_user_id ON password_resets (user_id);

-- +goose Down
DROP TABLE password_resets;
DROP TABLE dev_outbox;
DROP TABLE mail_messages;
