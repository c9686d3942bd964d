package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"

	"github.com/labplay/playground/fault"

	"github.com/jackc/pgx/v5"

	"github.com/labplay/playground/sessions"
)

// SharePort returns the active share of a session's node's port, making
// one with a fresh unguessable token when there is none.
func (s *Store) SharePort(ctx context.Context, sessionID, node string, port int) (*sessions.PortShare, error) {
	var b [16]byte
	rand.Read(b[:]) // it never fails (crypto/rand)
	sh := &sessions.PortShare{Token: hex.EncodeToString(b[:]), SessionID: sessionID, Node: node, Port: port}
	err := s.pool.QueryRow(ctx, `INSERT INTO port_shares (token, session_id, node, port) VALUES ($1, $2, $3, $4)
		ON CONFLICT (session_id, node, port) WHERE revoked_at IS NULL DO UPDATE SET node = EXCLUDED.node
		RETURNING token`, sh.Token, sessionID, node, port).Scan(&sh.Token)
	return sh, unavailable(err)
}

// UnsharePort revokes the active share of a session's node's port, if any.
func (s *Store) UnsharePort(ctx context.Context, sessionID, node string, port int) error {
	_, err := s.pool.Exec(ctx, `UPDATE port_shares SET revoked_at = now()
		WHERE session_id = $1 AND node = $2 AND port = $3 AND revoked_at IS NULL`, sessionID, node, port)
	return unavailable(err)
}

// PortShareByToken returns an active share; an unknown or revoked token,
// or one of an ended session, answers ENOTFOUND.
func (s *Store) PortShareByToken(ctx context.Context, token string) (*sessions.PortShare, error) {
	sh := &sessions.PortShare{Token: token}
	err := s.pool.QueryRow(ctx, `SELECT p.session_id, p.node, p.port FROM port_shares p JOIN sessions s ON s.id = p.session_id
		WHERE p.token = $1 AND p.revoked_at IS NULL AND s.status <> 'ended'`, token).Scan(&sh.SessionID, &sh.Node, &sh.Port)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fault.Errorf(fault.ENOTFOUND, "This link does not open anything (any more).")
	}
	if err != nil {
		return nil, unavailable(err)
	}
	return sh, nil
}

// PortShares returns the active shares of a session.
func (s *Store) PortShares(ctx context.Context, sessionID string) ([]sessions.PortShare, error) {
	rows, err := s.pool.Query(ctx, `SELECT token, session_id, node, port FROM port_shares
		WHERE session_id = $1 AND revoked_at IS NULL`, sessionID)
	if err != nil {
		return nil, unavailable(err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (sessions.PortShare, error) {
		var sh sessions.PortShare
		err := row.Scan(&sh.Token, &sh.SessionID, &sh.Node, &sh.Port)
		return sh, err
	})
	return list, unavailable(err)
}
