package store

// A live session's nodes added and removed after its start.

import (
	"context"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions"
)

// AddNode records one more node of a live session. A name the session
// has already is ECONFLICT.
func (s *Store) AddNode(ctx context.Context, sessionID string, n sessions.Node) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO nodes (session_id, name, address, status)
		SELECT $1, $2, $3, $4 FROM sessions WHERE id = $1 AND status <> 'ended'`,
		sessionID, n.Name, nullAddr(n.Address), n.Status)
	if isUniqueViolation(err, "") {
		return fault.Errorf(fault.ECONFLICT, "This session has a node %s already.", n.Name)
	}
	return unavailable(err)
}

// RemoveNode forgets one node of a session.
func (s *Store) RemoveNode(ctx context.Context, sessionID, name string) error {
	_, err := s.pool.Exec(ctx, "DELETE FROM nodes WHERE session_id = $1 AND name = $2", sessionID, name)
	return unavailable(err)
}
