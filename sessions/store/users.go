package store

import "context"

// EnsureUser records the user id if it is new and refreshes its last-seen
// time otherwise.
func (s *Store) EnsureUser(ctx context.Context, id string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO users (id) VALUES ($1)
		ON CONFLICT (id) DO UPDATE SET last_seen_at = now()`, id)
	return unavailable(err)
}
