package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions"
)

// PauseLimits bound the paused sessions of a deployment. Zero means no
// limit.
type PauseLimits struct {
	// MaxPaused is how many paused sessions the deployment keeps: the
	// disk budget, since a paused session holds its nodes' disks.
	MaxPaused int
}

// PauseSession records that a running session of instance is paused from
// now for keep (it ends if it is still paused then). The caller stops
// its nodes afterwards. A session already paused is left as it is. A
// session starting or ended is ECONFLICT; a deployment that keeps
// limits.MaxPaused paused sessions already EFULL.
func (s *Store) PauseSession(ctx context.Context, instance, id string, keep time.Duration, limits PauseLimits) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		status, err := lockSession(ctx, tx, instance, id)
		if err != nil {
			return err
		}
		switch status {
		case sessions.StatusPaused:
			return nil
		case sessions.StatusRunning:
		case sessions.StatusStarting:
			return fault.Errorf(fault.ECONFLICT, "This session is still starting; pause it once it runs.")
		default:
			return fault.Errorf(fault.ECONFLICT, "This session has ended; start a new one to go on.")
		}
		var paused int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM sessions WHERE status = 'paused' AND instance = $1", instance).Scan(&paused); err != nil {
			return unavailable(err)
		}
		if limits.MaxPaused > 0 && paused >= limits.MaxPaused {
			return &fault.Error{Code: fault.EFULL, RetryAfter: retryAfterFull,
				Message: "The playground keeps no more paused sessions right now; your session goes on running."}
		}
		_, err = tx.Exec(ctx, `UPDATE sessions SET status = 'paused', paused_at = now(),
			paused_until = now() + make_interval(secs => $2) WHERE id = $1`, id, keep.Seconds())
		return unavailable(err)
	})
}

// ResumeSession records that a paused session of instance runs again: its
// clock goes on from where it stood (expires_at moves on by the length of
// the pause) and it counts against the host's live sessions again, which
// must have room (EFULL with a retry delay otherwise). The caller starts
// its nodes afterwards. A running session is left as it is; one starting
// or ended is ECONFLICT.
func (s *Store) ResumeSession(ctx context.Context, instance, id string, limits Limits) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		status, err := lockSession(ctx, tx, instance, id)
		if err != nil {
			return err
		}
		switch status {
		case sessions.StatusRunning:
			return nil
		case sessions.StatusPaused:
		case sessions.StatusStarting:
			return fault.Errorf(fault.ECONFLICT, "This session is still starting.")
		default:
			return fault.Errorf(fault.ECONFLICT, "This session has ended; start a new one to go on.")
		}
		var live int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM sessions WHERE status IN ('starting', 'running') AND instance = $1", instance).Scan(&live); err != nil {
			return unavailable(err)
		}
		if limits.MaxLive > 0 && live >= limits.MaxLive {
			return &fault.Error{Code: fault.EFULL, RetryAfter: retryAfterFull,
				Message: "The playground is full right now; your paused session is kept, try again in a moment."}
		}
		_, err = tx.Exec(ctx, `UPDATE sessions SET status = 'running',
			expires_at = expires_at + (now() - paused_at), paused_total = paused_total + (now() - paused_at),
			paused_at = NULL, paused_until = NULL, last_used_at = now()
			WHERE id = $1`, id)
		return unavailable(err)
	})
}

// lockSession takes the deployment's session lock (the one the limits are
// checked under) and the session's row for the rest of the transaction,
// and returns the session's status. A session of another deployment, or
// none, is ENOTFOUND.
func lockSession(ctx context.Context, tx pgx.Tx, instance, id string) (string, error) {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext('playground-sessions:' || $1))", instance); err != nil {
		return "", unavailable(err)
	}
	var status string
	err := tx.QueryRow(ctx, "SELECT status FROM sessions WHERE id = $1 AND instance = $2 FOR UPDATE", id, instance).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fault.Errorf(fault.ENOTFOUND, "Session not found.")
	}
	return status, unavailable(err)
}

// TouchSessions records that the sessions were used at at (a request, an
// attached terminal), for the idle pause.
func (s *Store) TouchSessions(ctx context.Context, ids []string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.pool.Exec(ctx, `UPDATE sessions SET last_used_at = greatest(last_used_at, $2)
		WHERE id = ANY($1) AND status <> 'ended'`, ids, at)
	return unavailable(err)
}

// IdleSessions returns the ids of the instance's running learner sessions
// (not the pool's) that nobody has used since before.
func (s *Store) IdleSessions(ctx context.Context, instance string, before time.Time) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM sessions
		WHERE status = 'running' AND pool = '' AND instance = $1 AND last_used_at <= $2 ORDER BY last_used_at`, instance, before)
	if err != nil {
		return nil, unavailable(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, unavailable(err)
}

// PausedTooLong returns the ids of the instance's paused sessions whose
// pause is over at now: they end.
func (s *Store) PausedTooLong(ctx context.Context, instance string, now time.Time) ([]string, error) {
	rows, err := s.pool.Query(ctx, "SELECT id FROM sessions WHERE status = 'paused' AND instance = $1 AND paused_until <= $2", instance, now)
	if err != nil {
		return nil, unavailable(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, unavailable(err)
}
