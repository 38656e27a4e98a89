package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis keeps the counters in Redis (REDIS_URL) instead of the database:
// for several instances under heavy load, where counting in PostgreSQL
// would add a write to every request. Keys are hashes and expire with
// their window, so Redis holds nothing personal for long.
type Redis struct{ client *redis.Client }

// NewRedis connects to the Redis at url (redis:// or rediss://).
func NewRedis(ctx context.Context, url string) (*Redis, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("ratelimit: REDIS_URL: %w", err)
	}
	client := redis.NewClient(opts)
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("ratelimit: Redis at REDIS_URL: %w", err)
	}
	return &Redis{client: client}, nil
}

// hit counts one hit on a key whose window began with its first hit: the
// key expires when the window ends, and the next hit begins a new one.
var hit = redis.NewScript(`local n = redis.call("INCR", KEYS[1])
local ttl = redis.call("PTTL", KEYS[1])
if n == 1 or ttl < 0 then redis.call("PEXPIRE", KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`)

// Hit counts one hit on key in its window (see store.Store.Hit): one script
// run, so instances sharing Redis never lose a hit.
func (r *Redis) Hit(ctx context.Context, key string, window time.Duration) (int, time.Time, error) {
	res, err := hit.Run(ctx, r.client, []string{"undersigned:rl:" + key}, window.Milliseconds()).Int64Slice()
	if err != nil || len(res) != 2 {
		return 0, time.Time{}, fmt.Errorf("ratelimit: redis: %w", err)
	}
	return int(res[0]), time.Now().Add(time.Duration(res[1]) * time.Millisecond), nil
}

// unhit decrements a window's counter only while it exists, so that a
// refund after the window ended creates no key without an expiry.
var unhit = redis.NewScript(`if redis.call("EXISTS", KEYS[1]) == 1 and tonumber(redis.call("GET", KEYS[1])) > 0 then return redis.call("DECR", KEYS[1]) end return 0`)

// Unhit takes back one hit of the key's current window.
func (r *Redis) Unhit(ctx context.Context, key string, _ time.Duration) error {
	if err := unhit.Run(ctx, r.client, []string{"undersigned:rl:" + key}).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("ratelimit: redis: %w", err)
	}
	return nil
}

// SpendOnce records key as used for ttl and reports whether this was its
// first use.
func (r *Redis) SpendOnce(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	err := r.client.SetArgs(ctx, "undersigned:once:"+key, 1, redis.SetArgs{Mode: "NX", TTL: ttl}).Err()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("ratelimit: redis: %w", err)
	}
	return true, nil
}

// Close closes the connection pool.
func (r *Redis) Close() error { return r.client.Close() }
