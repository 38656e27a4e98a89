-- The order of requests about one row. Two workers (SKIP LOCKED, on one
-- instance or several) could otherwise apply two renewals of one pending
-- signature or endorsement out of order, and the earlier request's details
-- and links would win over the later one's. order_key names the row a
-- request may change (a campaign and an address, a campaign and an
-- organisation), as a keyed hash cut to 36 bits: equal for one row, while
-- an unrelated request that shares it only waits its turn. '' is no order
-- (password resets, and rows accepted before this migration).

-- +goose Up
ALTER TABLE intake ADD COLUMN order_key TEXT NOT NULL DEFAULT '';
CREATE INDEX intake_order ON intake (order_key, id);

-- +goose Down
DROP INDEX intake_order;
ALTER TABLE intake DROP COLUMN order_key;
