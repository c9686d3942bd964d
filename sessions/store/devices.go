package store

import (
	"context"
	"errors"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/jackc/pgx/v5"

	"github.com/labplay/playground/sessions"
)

// keptDeviceLinks is how many of a learner's links are kept, the live one
// and the latest stopped or expired ones, as the record of their use.
const keptDeviceLinks = 10

// errNoSuchLink answers a device link that was never made.
var errNoSuchLink = fault.Errorf(fault.ENOTFOUND, "This link does not open anything. Check that it was copied whole.")

// CreateDeviceLink records a new device link of a user, made on the page of
// one of their live sessions, revokes the one they had and forgets all but
// their latest keptDeviceLinks. Another's
// session, or an ended one, answers ENOTFOUND and changes nothing.
func (s *Store) CreateDeviceLink(ctx context.Context, userID, sessionID string, hash []byte, expires time.Time) (*sessions.DeviceLink, error) {
	l := &sessions.DeviceLink{UserID: userID, SessionID: sessionID, ExpiresAt: expires}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE device_links SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, userID); err != nil {
			return unavailable(err)
		}
		err := tx.QueryRow(ctx, `INSERT INTO device_links (token_hash, user_id, session_id, expires_at)
			SELECT $1, user_id, id, $3 FROM sessions WHERE id = $2 AND user_id = $4 AND status <> 'ended'
			RETURNING created_at`, hash, sessionID, expires, userID).Scan(&l.CreatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return fault.Errorf(fault.ENOTFOUND, "Session not found.")
		}
		if err != nil {
			return unavailable(err)
		}
		_, err = tx.Exec(ctx, `DELETE FROM device_links WHERE user_id = $1 AND token_hash NOT IN
			(SELECT token_hash FROM device_links WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2)`, userID, keptDeviceLinks)
		return unavailable(err)
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// RevokeDeviceLink stops the user's live device link and reports whether
// there was one.
func (s *Store) RevokeDeviceLink(ctx context.Context, userID string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE device_links SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, userID)
	if err != nil {
		return false, unavailable(err)
	}
	return tag.RowsAffected() > 0, nil
}

// LiveDeviceLink returns the user's device link that is neither revoked
// nor expired, or ENOTFOUND.
func (s *Store) LiveDeviceLink(ctx context.Context, userID string) (*sessions.DeviceLink, error) {
	l, err := s.deviceLink(ctx, s.pool, `l.user_id = $1 AND l.revoked_at IS NULL AND l.expires_at > now()`, userID)
	if fault.ErrorCode(err) == fault.ENOTFOUND {
		return nil, fault.Errorf(fault.ENOTFOUND, "You have no link to another device.")
	}
	return l, err
}

// DeviceLinkByHash returns the device link of a token's hash, whatever its
// state (the caller says why a revoked or expired one is refused), with
// what it opens; an unknown hash answers ENOTFOUND.
func (s *Store) DeviceLinkByHash(ctx context.Context, hash []byte) (*sessions.DeviceLink, error) {
	return s.deviceLink(ctx, s.pool, `l.token_hash = $1`, hash)
}

// UseDeviceLink counts one use of a device link and returns it, when it is
// neither revoked nor expired; otherwise it returns the link as it is,
// unchanged, for the caller to refuse. An unknown hash answers ENOTFOUND.
func (s *Store) UseDeviceLink(ctx context.Context, hash []byte) (*sessions.DeviceLink, error) {
	var l *sessions.DeviceLink
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE device_links SET uses = uses + 1, last_used_at = now()
			WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()`, hash); err != nil {
			return unavailable(err)
		}
		var err error
		l, err = s.deviceLink(ctx, tx, `l.token_hash = $1`, hash)
		return err
	})
	return l, err
}

// deviceLinkSelect reads a link with what it opens: whether its session
// lives, and the learner's seat when the session is a classroom's.
const deviceLinkSelect = `SELECT l.user_id, coalesce(l.session_id, ''), l.created_at, l.expires_at, l.revoked_at,
	l.uses, l.last_used_at, coalesce(s.status <> 'ended', false), coalesce(s.lab, ''),
	coalesce(m.display_name, ''), coalesce(c.name, '')
	FROM device_links l
	LEFT JOIN sessions s ON s.id = l.session_id
	LEFT JOIN classroom_members m ON m.classroom_id = s.scope AND m.user_id = l.user_id
	LEFT JOIN classrooms c ON c.id = m.classroom_id
	WHERE `

func (s *Store) deviceLink(ctx context.Context, q querier, where string, arg any) (*sessions.DeviceLink, error) {
	rows, err := q.Query(ctx, deviceLinkSelect+where+` ORDER BY l.created_at DESC LIMIT 1`, arg)
	if err != nil {
		return nil, unavailable(err)
	}
	l, err := pgx.CollectExactlyOneRow(rows, func(row pgx.CollectableRow) (*sessions.DeviceLink, error) {
		var l sessions.DeviceLink
		var revoked, used *time.Time
		err := row.Scan(&l.UserID, &l.SessionID, &l.CreatedAt, &l.ExpiresAt, &revoked, &l.Uses, &used,
			&l.SessionLive, &l.Lab, &l.Name, &l.Classroom)
		if revoked != nil {
			l.RevokedAt = *revoked
		}
		if used != nil {
			l.LastUsedAt = *used
		}
		return &l, err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNoSuchLink
	}
	return l, unavailable(err)
}
