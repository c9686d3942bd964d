package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/labplay/playground/ratelimit"
)

// The store keeps the token buckets that every server process shares
// (ratelimit.Limiter; the table is rate_buckets). Each take is one
// statement on the bucket's row, so concurrent takes from any process
// count exactly: the row's lock makes them take turns.

var _ ratelimit.BucketStore = (*Store)(nil)

// bucketLevel is the tokens in bucket b at $5, refilled since b.at: $3 is
// the burst, $4 the refill period in seconds.
const bucketLevel = `least($3::float8, b.tokens + extract(epoch FROM greatest($5::timestamptz - b.at, interval '0'))::float8 / $4::float8)`

// TakeToken takes one token from the bucket of r and key at now, if it
// has one, and returns the tokens left and whether it took one.
func (s *Store) TakeToken(ctx context.Context, r ratelimit.Rate, key string, now time.Time) (tokens float64, taken bool, err error) {
	err = s.pool.QueryRow(ctx, `INSERT INTO rate_buckets AS b (name, key, tokens, at, granted)
		VALUES ($1, $2, $3::float8 - 1, $5::timestamptz, true)
		ON CONFLICT (name, key) DO UPDATE SET (tokens, at, granted) = (
			SELECT CASE WHEN l.level >= 1 THEN l.level - 1 ELSE l.level END, greatest(b.at, $5::timestamptz), l.level >= 1
			FROM (SELECT `+bucketLevel+` AS level) l)
		RETURNING tokens, granted`, r.Name, key, float64(r.Burst), r.Refill.Seconds(), now).Scan(&tokens, &taken)
	return tokens, taken, unavailable(err)
}

// ChargeToken takes one token from the bucket of r and key at now even
// when it is empty, down to minus the burst.
func (s *Store) ChargeToken(ctx context.Context, r ratelimit.Rate, key string, now time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO rate_buckets AS b (name, key, tokens, at, granted)
		VALUES ($1, $2, $3::float8 - 1, $5::timestamptz, true)
		ON CONFLICT (name, key) DO UPDATE SET tokens = greatest(`+bucketLevel+` - 1, -$3::float8),
			at = greatest(b.at, $5::timestamptz), granted = true`,
		r.Name, key, float64(r.Burst), r.Refill.Seconds(), now)
	return unavailable(err)
}

// Tokens returns the tokens in the bucket of r and key at now: the burst
// when it has none.
func (s *Store) Tokens(ctx context.Context, r ratelimit.Rate, key string, now time.Time) (float64, error) {
	var tokens float64
	err := s.pool.QueryRow(ctx, `SELECT `+bucketLevel+` FROM rate_buckets b WHERE b.name = $1 AND b.key = $2`,
		r.Name, key, float64(r.Burst), r.Refill.Seconds(), now).Scan(&tokens)
	if errors.Is(err, pgx.ErrNoRows) {
		return float64(r.Burst), nil
	}
	return tokens, unavailable(err)
}

// SweepTokens deletes the buckets of r that are full again at now.
func (s *Store) SweepTokens(ctx context.Context, r ratelimit.Rate, now time.Time) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM rate_buckets
		WHERE name = $1 AND tokens + extract(epoch FROM greatest($4::timestamptz - at, interval '0'))::float8 / $3::float8 >= $2::float8`,
		r.Name, float64(r.Burst), r.Refill.Seconds(), now)
	return unavailable(err)
}
