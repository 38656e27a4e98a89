-- The mail queue keeps no address in plain text, and a contact whose
-- address bounced for good is marked so and skipped.

-- +goose Up
-- A digest delivery names its contact instead of copying the address: the
-- address is read from contacts when the message is sent. Every other
-- message's recipient and params are sealed (AES-GCM under DATA_KEY) by
-- the store before they are written.
ALTER TABLE mail_messages ADD COLUMN contact_id TEXT;
UPDATE mail_messages SET contact_id = substr(dedupe_key, length('digest:' || ref || ':') + 1), recipient = NULL
WHERE kind = 'digest' AND status = 'queued' AND dedupe_key IS NOT NULL;

-- bounced_at is set when the contact's server refused the address for
-- good (a 5xx); digests skip the contact until staff clear it.
ALTER TABLE contacts ADD COLUMN bounced_at TIMESTAMP;
ALTER TABLE contacts ADD COLUMN bounce_reason TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE contacts DROP COLUMN bounce_reason;
ALTER TABLE contacts DROP COLUMN bounced_at;
ALTER TABLE mail_messages DROP COLUMN contact_id;
