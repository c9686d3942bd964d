package store

import (
	"context"
	"errors"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/jackc/pgx/v5"

	"github.com/labplay/playground/sessions"
)

// Take describes a learner taking a session from the warm pool.
type Take struct {
	// Session carries the learner's side: UserID, ClientAddr, Lab, Lang,
	// Scope, Instance and ExpiresAt.
	Session *sessions.Session
	// PoolLab is the lab the pool session must have been made for, and
	// WarmFor the classroom ("" for the general pool).
	PoolLab string
	WarmFor string
}

// TakePooled makes the oldest ready pool session that matches t the
// learner's, in one transaction: owner, lab, language, classroom, address
// and expiry are set, it leaves the pool, and a classroom's wanted seats
// count down. The learner's limits are checked as for a new session, under
// the same lock. It returns the session's id, or "" when no pool session
// matches.
func (s *Store) TakePooled(ctx context.Context, t Take, limits Limits) (string, error) {
	sess := t.Session
	var id string
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := ensureUser(ctx, tx, sess.UserID); err != nil {
			return err
		}
		if err := checkLimits(ctx, tx, sess, limits, true); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `SELECT id FROM sessions
			WHERE instance = $1 AND pool = 'ready' AND status = 'running' AND warm_for = $2 AND lab = $3
			ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED`, instanceOf(sess), t.WarmFor, t.PoolLab).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			id = ""
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE sessions SET user_id = $2, client_addr = $3, lab = $4, lang = $5, scope = $6,
				expires_at = $7, pool = '', warm_for = '', last_used_at = now() WHERE id = $1`,
			id, sess.UserID, sess.ClientAddr, sess.Lab, sess.Lang, sess.Scope, sess.ExpiresAt); err != nil {
			return err
		}
		if t.WarmFor != "" {
			_, err = tx.Exec(ctx, "UPDATE classrooms SET warm_wanted = greatest(warm_wanted - 1, 0) WHERE id = $1", t.WarmFor)
		}
		return err
	})
	if err != nil {
		return "", unavailable(err)
	}
	return id, nil
}

// checkPoolRoom refuses a new pool session, with ECONFLICT, when its pool
// (the general one, or a classroom's ready seats) has all the sessions it
// wants already, warming or ready. The caller holds the deployment's
// session lock, so processes filling the same pool take turns and together
// make it no bigger than one would.
func checkPoolRoom(ctx context.Context, tx pgx.Tx, sess *sessions.Session, limits Limits) error {
	var have, wanted int
	if err := tx.QueryRow(ctx, `SELECT count(*),
			CASE WHEN $2 = '' THEN $3
			ELSE coalesce((SELECT warm_wanted FROM classrooms WHERE id = $2 AND status = 'open'), 0) END
		FROM sessions WHERE instance = $1 AND warm_for = $2 AND pool <> '' AND status <> 'ended'`,
		instanceOf(sess), sess.WarmFor, limits.PoolSize).Scan(&have, &wanted); err != nil {
		return err
	}
	if have >= wanted {
		return fault.Errorf(fault.ECONFLICT, "The pool has the %d sessions it wants already.", wanted)
	}
	return nil
}

// MarkPoolReady turns a warming pool session ready to be handed out.
func (s *Store) MarkPoolReady(ctx context.Context, id string) error {
	_, err := s.pool.Exec(ctx, "UPDATE sessions SET pool = 'ready' WHERE id = $1 AND pool = 'warming' AND status = 'running'", id)
	return unavailable(err)
}

// PoolSession is one live session of the warm pool.
type PoolSession struct {
	ID, Pool, WarmFor, Lab string
	CreatedAt              time.Time
}

// PoolSessions returns the instance's live pool sessions, oldest first.
func (s *Store) PoolSessions(ctx context.Context, instance string) ([]PoolSession, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, pool, warm_for, lab, created_at FROM sessions
		WHERE instance = $1 AND pool <> '' AND status <> 'ended' ORDER BY created_at`, instance)
	if err != nil {
		return nil, unavailable(err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (PoolSession, error) {
		var p PoolSession
		err := row.Scan(&p.ID, &p.Pool, &p.WarmFor, &p.Lab, &p.CreatedAt)
		return p, err
	})
	return list, unavailable(err)
}

// WarmRequest is an open classroom's request for ready seats.
type WarmRequest struct {
	Classroom, Lab, Lang string
	SessionMinutes       int
	Wanted               int
}

// WarmRequests returns the open classrooms that want ready seats.
func (s *Store) WarmRequests(ctx context.Context) ([]WarmRequest, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, lab, lang, session_minutes, warm_wanted FROM classrooms
		WHERE status = 'open' AND warm_wanted > 0 ORDER BY created_at`)
	if err != nil {
		return nil, unavailable(err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (WarmRequest, error) {
		var w WarmRequest
		err := row.Scan(&w.Classroom, &w.Lab, &w.Lang, &w.SessionMinutes, &w.Wanted)
		return w, err
	})
	return list, unavailable(err)
}

// SetWarmWanted records how many ready seats a classroom wants.
func (s *Store) SetWarmWanted(ctx context.Context, classroomID string, n int) error {
	tag, err := s.pool.Exec(ctx, "UPDATE classrooms SET warm_wanted = $2 WHERE id = $1", classroomID, max(n, 0))
	if err != nil {
		return unavailable(err)
	}
	if tag.RowsAffected() == 0 {
		return fault.Errorf(fault.ENOTFOUND, "Classroom not found.")
	}
	return nil
}

// WarmSeats returns how many ready seats a classroom wants and how many
// are ready now, over every deployment.
func (s *Store) WarmSeats(ctx context.Context, classroomID string) (wanted, ready int, err error) {
	err = s.pool.QueryRow(ctx, `SELECT c.warm_wanted,
			(SELECT count(*) FROM sessions t WHERE t.warm_for = c.id AND t.pool = 'ready' AND t.status = 'running')
		FROM classrooms c WHERE c.id = $1`, classroomID).Scan(&wanted, &ready)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, 0, fault.Errorf(fault.ENOTFOUND, "Classroom not found.")
	}
	return wanted, ready, unavailable(err)
}
