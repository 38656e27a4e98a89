-- Updates that staff send to the signers of a campaign who asked for them
-- (issue 14). Each delivery is a mail_messages row with dedupe_key
-- 'update:{update id}:{signature id}', so each signer gets it once.

-- +goose Up
-- translations: {"be": {"subject": "...", "body": "..."}}, JSON; subject
-- and body are in the campaign's language. recipients is fixed when
-- sending starts.
CREATE TABLE signer_updates (
    id           TEXT PRIMARY KEY,
    campaign_id  TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,
    translations TEXT NOT NULL DEFAULT '{}',
    status       TEXT NOT NULL CHECK (status IN ('draft', 'sending', 'sent')),
    recipients   INTEGER NOT NULL DEFAULT 0,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    sent_at      TIMESTAMP
);
CREATE INDEX signer_updates_campaign ON signer_updates (campaign_id, created_at);

-- +goose Down
DROP TABLE signer_updates;
