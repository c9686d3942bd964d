package store

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// EnsureUser records the user id if it is new and refreshes its last-seen
// time otherwise.
func (s *Store) EnsureUser(ctx context.Context, id string) error {
	return unavailable(ensureUser(ctx, s.pool, id))
}

// execer is what both a pool and a transaction offer.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

var _ execer = pgx.Tx(nil)

// ensureUser is EnsureUser on a pool or in a transaction.
func ensureUser(ctx context.Context, db execer, id string) error {
	_, err := db.Exec(ctx, `INSERT INTO users (id) VALUES ($1)
		ON CONFLICT (id) DO UPDATE SET last_seen_at = now()`, id)
	return err
}
