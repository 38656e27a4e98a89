-- Nothing to seize (issue 14). Signers' kept data is sealed to the
-- coalition's age recipients (the server cannot open it); each campaign
-- deduplicates with a random key of its own, destroyed when it closes.

-- +goose Up
-- dedup_key is the campaign's 32-byte HMAC key, AES-GCM-encrypted with
-- DATA_KEY so that a dump alone answers nothing. The row is deleted when
-- the campaign closes (crypto-shredding): the email hashes made with it
-- can no longer be tested against any address.
CREATE TABLE campaign_keys (
    campaign_id TEXT PRIMARY KEY REFERENCES campaigns (id) ON DELETE CASCADE,
    dedup_key   TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
-- shredded_at: when the campaign's key and hashes were destroyed;
-- scrubbed_at: when the database was last made to drop the old rows
-- (on PostgreSQL only once no older snapshot could still see them).
ALTER TABLE campaigns ADD COLUMN shredded_at TIMESTAMP;
ALTER TABLE campaigns ADD COLUMN scrubbed_at TIMESTAMP;
-- Sealed (age, "s1.…") copies: the address of a signer who asked for
-- updates, a private signer's name, any comment. has_comment lets staff
-- see that a comment exists without opening it.
ALTER TABLE signatures ADD COLUMN email_sealed TEXT;
ALTER TABLE signatures ADD COLUMN name_sealed TEXT;
ALTER TABLE signatures ADD COLUMN comment_sealed TEXT;
ALTER TABLE signatures ADD COLUMN has_comment BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE signatures ADD COLUMN language TEXT NOT NULL DEFAULT '';
-- count_only: a private signer who gave no name at all.
ALTER TABLE signatures ADD COLUMN count_only BOOLEAN NOT NULL DEFAULT FALSE;
-- The organisation's contact person, sealed once review no longer needs
-- to write to them.
ALTER TABLE endorsements ADD COLUMN contact_sealed TEXT;
CREATE INDEX signatures_updates ON signatures (campaign_id, id) WHERE email_sealed IS NOT NULL;

-- +goose Down
DROP INDEX signatures_updates;
ALTER TABLE endorsements DROP COLUMN contact_sealed;
ALTER TABLE signatures DROP COLUMN count_only;
ALTER TABLE signatures DROP COLUMN language;
ALTER TABLE signatures DROP COLUMN has_comment;
ALTER TABLE signatures DROP COLUMN comment_sealed;
ALTER TABLE signatures DROP COLUMN name_sealed;
ALTER TABLE signatures DROP COLUMN email_sealed;
ALTER TABLE campaigns DROP COLUMN scrubbed_at;
ALTER TABLE campaigns DROP COLUMN shredded_at;
DROP TABLE campaign_keys;
