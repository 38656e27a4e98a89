-- A schedule fires no period due before fires_from: the moment it was
-- made, last switched on again, or given another day, time or time zone.
-- So re-activating a paused schedule, or moving it, never sends at once
-- a digest it missed.

-- +goose Up
ALTER TABLE schedules ADD COLUMN fires_from TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00.000Z';
UPDATE schedules SET fires_from = created_at;

-- +goose Down
ALTER TABLE schedules DROP COLUMN fires_from;
