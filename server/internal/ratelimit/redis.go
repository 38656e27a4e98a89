package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
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

// Hit counts one hit on key in the current fixed window: one INCR on a key
// named after the window, which expires when the window ends.
func (r *Redis) Hit(ctx context.Context, key string, window time.Duration) (int, time.Time, error) {
	start := time.Now().Truncate(window)
	end := start.Add(window)
	k := "undersigned:rl:" + key + ":" + strconv.FormatInt(start.Unix(), 10)
	pipe := r.client.TxPipeline()
	incr := pipe.Incr(ctx, k)
	pipe.ExpireAt(ctx, k, end.Add(time.Second))
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, time.Time{}, fmt.Errorf("ratelimit: redis: %w", err)
	}
	return int(incr.Val()), end, nil
}

// unhit decrements a window's counter only while it exists, so that a
// refund after the window ended creates no key without an expiry.
var unhit = redis.NewScript(`if redis.call("EXISTS", KEYS[1]) == 1 and tonumber(redis.call("GET", KEYS[1])) > 0 then return redis.call("DECR", KEYS[1]) end return 0`)

// Unhit takes back one hit of the current window.
func (r *Redis) Unhit(ctx context.Context, key string, window time.Duration) error {
	start := time.Now().Truncate(window)
	k := "undersigned:rl:" + key + ":" + strconv.FormatInt(start.Unix(), 10)
	if err := unhit.Run(ctx, r.client, []string{k}).Err(); err != nil && !errors.Is(err, redis.Nil) {
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
