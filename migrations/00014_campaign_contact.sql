-- Who runs a campaign and how to reach them: named in every digest's body
-- and footer, and the digest's Reply-To, so that an official knows who
-- writes and can answer. Empty: the site's CONTACT_EMAIL and MAIL_FROM's
-- name.

-- +goose Up
ALTER TABLE campaigns ADD COLUMN contact_email TEXT;
ALTER TABLE campaigns ADD COLUMN sender_name TEXT;

-- +goose Down
ALTER TABLE campaigns DROP COLUMN sender_name;
ALTER TABLE campaigns DROP COLUMN contact_email;
