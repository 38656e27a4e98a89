-- An unverified endorsement is keyed by its contact too: a second submission
-- for the same organisation from another address is a row of its own (and
-- is flagged to the moderator as a duplicate once verified), instead of
-- taking over the first contact's pending link.

-- +goose Up
DROP INDEX endorsements_unverified_key;
CREATE UNIQUE INDEX endorsements_unverified_key ON endorsements (campaign_id, name_key, country, contact_email)
    WHERE status = 'unverified';

-- +goose Down
-- The narrower key allows one unverified row per organisation: keep one
-- of each; the others' links stop working.
DELETE FROM endorsements WHERE status = 'unverified' AND id NOT IN (
    SELECT MIN(id) FROM endorsements WHERE status = 'unverified' GROUP BY campaign_id, name_key, country);
DROP INDEX endorsements_unverified_key;
CREATE UNIQUE INDEX endorsements_unverified_key ON endorsements (campaign_id, name_key, country)
    WHERE status = 'unverified';
