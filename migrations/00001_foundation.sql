-- Staff accounts, their sessions, campaigns with their calls and
-- translations, the audit log and shared rate-limit counters.

-- +goose Up
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'moderator', 'viewer')),
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email);

-- A session is one login; its refresh tokens rotate. A used token presented
-- again revokes the whole session (the token was stolen or replayed).
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX refresh_tokens_session_id ON refresh_tokens (session_id);

CREATE TABLE campaigns (
    id             TEXT PRIMARY KEY,
    slug           TEXT NOT NULL,
    title          TEXT NOT NULL,
    summary        TEXT NOT NULL DEFAULT '',
    body           TEXT NOT NULL DEFAULT '',
    body_html      TEXT NOT NULL DEFAULT '',
    language       TEXT NOT NULL DEFAULT 'en',
    goal           BIGINT NOT NULL DEFAULT 0 CHECK (goal >= 0),
    status         TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed')),
    opens_at       TIMESTAMP,
    closes_at      TIMESTAMP,
    closed_at      TIMESTAMP,
    retention_days INTEGER NOT NULL DEFAULT 90 CHECK (retention_days >= 1),
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX campaigns_slug_key ON campaigns (slug);

-- audiences is a sorted, comma-separated subset of belarus,eu,intl,us.
CREATE TABLE calls (
    id          TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    audiences   TEXT NOT NULL,
    text        TEXT NOT NULL
);
CREATE INDEX calls_campaign_id ON calls (campaign_id, position);

-- calls is a JSON array of the calls' texts, in the campaign's call order.
CREATE TABLE campaign_translations (
    campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    language    TEXT NOT NULL,
    title       TEXT NOT NULL,
    summary     TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL DEFAULT '',
    body_html   TEXT NOT NULL DEFAULT '',
    calls       TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (campaign_id, language)
);

-- actor_id is kept without a foreign key so that the record outlives the
-- account; actor_email is the staff address at the time of the action.
CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    at          TIMESTAMP NOT NULL,
    actor_id    TEXT NOT NULL DEFAULT '',
    actor_email TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    target      TEXT NOT NULL DEFAULT '',
    row_count   BIGINT NOT NULL DEFAULT 0,
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);

-- Fixed-window counters shared by every instance. Keys carry no raw IP or
-- address: only keyed hashes, and rows expire with their window.
CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY,
    window_start TIMESTAMP NOT NULL,
    hits         INTEGER NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX rate_limits_expires_at ON rate_limits (expires_at);

-- +goose Down
DROP TABLE rate_limits;
DROP TABLE audit_log;
DROP TABLE campaign_translations;
DROP TABLE calls;
DROP TABLE campaigns;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;
