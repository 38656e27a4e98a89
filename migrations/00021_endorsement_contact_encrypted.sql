-- An endorsement's contact person is no longer kept in plain text (issue
-- 14, "What is still open"): a dump without the keys must give no address.
-- While the server needs them (the verification and review emails) the
-- name and address are kept in contact_encrypted, AES-GCM under a key
-- derived from DATA_KEY and bound to the row (the store's cipher); the
-- coalition's sealed copy (contact_sealed) stays as it was.

-- +goose Up
ALTER TABLE endorsements ADD COLUMN contact_encrypted TEXT;
-- contact_hash finds a repeated submission from the same contact while the
-- endorsement is unverified: an HMAC of the address under the campaign's
-- deduplication key (campaign_keys), so that it dies with the key at close
-- like the signers' hashes. Cleared once the endorsement is verified.
ALTER TABLE endorsements ADD COLUMN contact_hash TEXT;
DROP INDEX endorsements_unverified_key;
CREATE UNIQUE INDEX endorsements_unverified_key ON endorsements (campaign_id, name_key, country, contact_hash)
    WHERE status = 'unverified';
-- The plain values wait here for the server's first start with its key,
-- which encrypts them into contact_encrypted, deletes them and has the
-- database let go of the old bytes (store.Migrate). Unverified rows from
-- before get no contact_hash: a repeated submission of one makes a row of
-- its own, flagged as a likely duplicate once verified.
CREATE TABLE endorsement_contacts_legacy (
    endorsement_id TEXT PRIMARY KEY REFERENCES endorsements (id) ON DELETE CASCADE,
    contact_name   TEXT,
    contact_email  TEXT
);
INSERT INTO endorsement_contacts_legacy (endorsement_id, contact_name, contact_email)
    SELECT id, contact_name, contact_email FROM endorsements
    WHERE contact_name IS NOT NULL OR contact_email IS NOT NULL;
ALTER TABLE endorsements DROP COLUMN contact_name;
ALTER TABLE endorsements DROP COLUMN contact_email;
-- scrubbed_at: when the database was made to let go of an update's
-- deliveries to a closed campaign's signers, once they were all finished
-- (store.ScrubClosedUpdates).
ALTER TABLE signer_updates ADD COLUMN scrubbed_at TIMESTAMP;

-- +goose Down
-- The encrypted contacts cannot be decrypted in SQL: going back leaves the
-- plain columns empty (the sealed copy stays).
ALTER TABLE signer_updates DROP COLUMN scrubbed_at;
ALTER TABLE endorsements ADD COLUMN contact_name TEXT;
ALTER TABLE endorsements ADD COLUMN contact_email TEXT;
UPDATE endorsements SET contact_name = (SELECT l.contact_name FROM endorsement_contacts_legacy l WHERE l.endorsement_id = endorsements.id),
    contact_email = (SELECT l.contact_email FROM endorsement_contacts_legacy l WHERE l.endorsement_id = endorsements.id);
DROP TABLE endorsement_contacts_legacy;
DROP INDEX endorsements_unverified_key;
CREATE UNIQUE INDEX endorsements_unverified_key ON endorsements (campaign_id, name_key, country, contact_email)
    WHERE status = 'unverified';
ALTER TABLE endorsements DROP COLUMN contact_hash;
ALTER TABLE endorsements DROP COLUMN contact_encrypted;
