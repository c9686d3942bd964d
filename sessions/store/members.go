package store

import (
	"context"
	"errors"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/jackc/pgx/v5"

	"github.com/labplay/playground/sessions"
)

// AddMember gives a learner a seat in an open classroom. When the learner
// has one already, m is filled from it and no error is returned. A closed
// classroom, a full one, or a display name already used in the classroom
// (in any letter case) answers ECONFLICT; an unknown classroom ENOTFOUND.
func (s *Store) AddMember(ctx context.Context, m *sessions.Member) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var status string
		var seats, taken int
		// The row lock makes concurrent joins take turns, so seats are
		// counted exactly even across server processes.
		err := tx.QueryRow(ctx, `SELECT status, seats FROM classrooms WHERE id = $1 FOR UPDATE`, m.ClassroomID).Scan(&status, &seats)
		if errors.Is(err, pgx.ErrNoRows) {
			return fault.Errorf(fault.ENOTFOUND, "Classroom not found.")
		}
		if err != nil {
			return unavailable(err)
		}
		if found, err := memberIn(ctx, tx, m.ClassroomID, m.UserID); err == nil {
			*m = *found
			return nil
		} else if fault.ErrorCode(err) != fault.ENOTFOUND {
			return err
		}
		if status != sessions.ClassroomOpen {
			return fault.Errorf(fault.ECONFLICT, "This class is closed.")
		}
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM classroom_members WHERE classroom_id = $1", m.ClassroomID).Scan(&taken); err != nil {
			return unavailable(err)
		}
		if seats > 0 && taken >= seats {
			return fault.Errorf(fault.ECONFLICT, "This class is full: all %d seats are taken.", seats)
		}
		err = tx.QueryRow(ctx, `INSERT INTO classroom_members (classroom_id, user_id, id, display_name)
			VALUES ($1, $2, $3, $4) RETURNING joined_at, last_activity_at`,
			m.ClassroomID, m.UserID, m.ID, m.Name).Scan(&m.JoinedAt, &m.LastActivityAt)
		if isUniqueViolation(err, "classroom_members_name") {
			return fault.Errorf(fault.ECONFLICT, "Someone in this class already goes by %q; add an initial to yours.", m.Name)
		}
		return unavailable(err)
	})
}

// Member returns a learner's seat in a classroom, or ENOTFOUND.
func (s *Store) Member(ctx context.Context, classroomID, userID string) (*sessions.Member, error) {
	return memberIn(ctx, s.pool, classroomID, userID)
}

// Members returns the seats of a classroom in the order they were taken: the
// given users' only, or everyone's when userIDs is nil.
func (s *Store) Members(ctx context.Context, classroomID string, userIDs []string) ([]*sessions.Member, error) {
	query := memberSelect + " WHERE m.classroom_id = $1"
	args := []any{classroomID}
	if userIDs != nil {
		query += " AND m.user_id = ANY($2)"
		args = append(args, userIDs)
	}
	rows, err := s.pool.Query(ctx, query+" ORDER BY m.joined_at, m.id", args...)
	if err != nil {
		return nil, unavailable(err)
	}
	list, err := pgx.CollectRows(rows, scanMember)
	return list, unavailable(err)
}

// ClaimMemberStart marks a seat as starting a session for at most window,
// so that a second tab does not start another. It reports false when a start
// is already under way.
func (s *Store) ClaimMemberStart(ctx context.Context, classroomID, userID string, window time.Duration) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE classroom_members SET starting_until = now() + $3 * interval '1 millisecond'
		WHERE classroom_id = $1 AND user_id = $2 AND (starting_until IS NULL OR starting_until < now())`,
		classroomID, userID, window.Milliseconds())
	if err != nil {
		return false, unavailable(err)
	}
	return tag.RowsAffected() > 0, nil
}

// ReleaseMemberStart ends a start claimed with ClaimMemberStart that failed.
func (s *Store) ReleaseMemberStart(ctx context.Context, classroomID, userID string) error {
	_, err := s.pool.Exec(ctx, "UPDATE classroom_members SET starting_until = NULL WHERE classroom_id = $1 AND user_id = $2",
		classroomID, userID)
	return unavailable(err)
}

// SetMemberSession records the session a seat now works in and ends its
// start claim.
func (s *Store) SetMemberSession(ctx context.Context, classroomID, userID, sessionID string) error {
	_, err := s.pool.Exec(ctx, `UPDATE classroom_members SET session_id = $3, starting_until = NULL, last_activity_at = now()
		WHERE classroom_id = $1 AND user_id = $2`, classroomID, userID, sessionID)
	return unavailable(err)
}

// TouchMember records activity on a seat (a learner coming back to it).
func (s *Store) TouchMember(ctx context.Context, classroomID, userID string) error {
	_, err := s.pool.Exec(ctx, "UPDATE classroom_members SET last_activity_at = now() WHERE classroom_id = $1 AND user_id = $2",
		classroomID, userID)
	return unavailable(err)
}

// querier is what both a pool and a transaction offer.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

const memberSelect = `SELECT m.id, m.classroom_id, m.user_id, m.display_name, coalesce(m.session_id, ''),
	coalesce(s.status, ''), s.expires_at, m.joined_at, m.last_activity_at
	FROM classroom_members m LEFT JOIN sessions s ON s.id = m.session_id`

func memberIn(ctx context.Context, q querier, classroomID, userID string) (*sessions.Member, error) {
	rows, err := q.Query(ctx, memberSelect+" WHERE m.classroom_id = $1 AND m.user_id = $2", classroomID, userID)
	if err != nil {
		return nil, unavailable(err)
	}
	m, err := pgx.CollectExactlyOneRow(rows, scanMember)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fault.Errorf(fault.ENOTFOUND, "Not a member of this classroom.")
	}
	return m, unavailable(err)
}

func scanMember(row pgx.CollectableRow) (*sessions.Member, error) {
	var m sessions.Member
	var expires *time.Time
	err := row.Scan(&m.ID, &m.ClassroomID, &m.UserID, &m.Name, &m.SessionID, &m.SessionStatus, &expires, &m.JoinedAt, &m.LastActivityAt)
	if expires != nil {
		m.SessionExpiresAt = *expires
	}
	return &m, err
}
