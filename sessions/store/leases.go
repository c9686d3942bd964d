package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/labplay/playground/ratelimit"
)

// The store keeps the leases of things under way in every server process
// (ratelimit.Cap; the table is inflight_leases): a session's terminals and
// file transfers. Entering one counts the key's unexpired leases under an
// advisory lock on the key, so two processes cannot both take its last
// place.

var _ ratelimit.LeaseStore = (*Store)(nil)

// EnterLease records l for holder, expiring ttl after now, unless l.Key
// has max unexpired leases of l.Name already; it reports whether it did.
// Expired leases do not count; RenewLeases deletes them.
func (s *Store) EnterLease(ctx context.Context, l ratelimit.Lease, holder string, max int, ttl time.Duration, now time.Time) (bool, error) {
	var entered bool
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext('playground-leases:' || $1 || ':' || $2))", l.Name, l.Key); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO inflight_leases (name, key, id, holder, expires_at)
			SELECT $1, $2, $3, $4, $6::timestamptz + $7 * interval '1 millisecond'
			WHERE (SELECT count(*) FROM inflight_leases WHERE name = $1 AND key = $2 AND expires_at > $6) < $5`,
			l.Name, l.Key, l.ID, holder, max, now, ttl.Milliseconds())
		entered = tag.RowsAffected() == 1
		return err
	})
	return entered, unavailable(err)
}

// LeaveLease deletes l.
func (s *Store) LeaveLease(ctx context.Context, l ratelimit.Lease) error {
	_, err := s.pool.Exec(ctx, "DELETE FROM inflight_leases WHERE name = $1 AND key = $2 AND id = $3", l.Name, l.Key, l.ID)
	return unavailable(err)
}

// RenewLeases sets the expiry of holder's leases to ttl after now,
// recording again those that are missing, and deletes every lease expired
// at now, whoever held it.
func (s *Store) RenewLeases(ctx context.Context, holder string, leases []ratelimit.Lease, ttl time.Duration, now time.Time) error {
	names, keys, ids := make([]string, len(leases)), make([]string, len(leases)), make([]string, len(leases))
	for i, l := range leases {
		names[i], keys[i], ids[i] = l.Name, l.Key, l.ID
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO inflight_leases (name, key, id, holder, expires_at)
			SELECT n, k, i, $4, $5::timestamptz + $6 * interval '1 millisecond'
			FROM unnest($1::text[], $2::text[], $3::text[]) AS u (n, k, i)
			ON CONFLICT (name, key, id) DO UPDATE SET expires_at = excluded.expires_at`,
			names, keys, ids, holder, now, ttl.Milliseconds()); err != nil {
			return unavailable(err)
		}
		_, err := tx.Exec(ctx, "DELETE FROM inflight_leases WHERE expires_at <= $1", now)
		return unavailable(err)
	})
}

// Leases returns how many unexpired leases of name key has at now.
func (s *Store) Leases(ctx context.Context, name, key string, now time.Time) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, "SELECT count(*) FROM inflight_leases WHERE name = $1 AND key = $2 AND expires_at > $3",
		name, key, now).Scan(&n)
	return n, unavailable(err)
}
