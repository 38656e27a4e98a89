-- The salt of the day for client address hashes: random, shared by every
-- instance through the database, and deleted as soon as the next day's
-- salt exists. Without it a stored hash cannot be matched to an address,
-- even by someone holding DATA_KEY who tries all 2^32 IPv4 addresses.

-- +goose Up
CREATE TABLE ip_salts (
    day TEXT PRIMARY KEY, -- UTC date, YYYY-MM-DD
    salt TEXT NOT NULL,   -- 32 random bytes, hex
    created_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE ip_salts;
