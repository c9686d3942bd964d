package store

import (
	"context"
	"errors"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/jackc/pgx/v5"

	"github.com/labplay/playground/sessions"
)

// codeAttempts bounds how many fresh codes CreateClassroom tries.
const codeAttempts = 10

// CreateClassroom inserts c with a code from newCode, drawing another one
// when the code is taken. It fills c.Code, c.Status and c.CreatedAt.
func (s *Store) CreateClassroom(ctx context.Context, c *sessions.Classroom, newCode func() string) error {
	for range codeAttempts {
		c.Code = newCode()
		err := s.pool.QueryRow(ctx, `INSERT INTO classrooms (id, instructor_id, code, name, lab, lang, session_minutes, seats)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING status, created_at`,
			c.ID, c.InstructorID, c.Code, c.Name, c.Lab, c.Lang, c.SessionMinutes, c.Seats).Scan(&c.Status, &c.CreatedAt)
		if isUniqueViolation(err, "classrooms_code") {
			continue
		}
		return unavailable(err)
	}
	return fault.Errorf(fault.EUNAVAILABLE, "No free classroom code was found; try again.")
}

const classroomSelect = `SELECT c.id, c.instructor_id, c.code, c.name, c.lab, c.lang, c.session_minutes, c.seats,
	c.status, c.created_at, coalesce(c.closed_at, 'epoch'::timestamptz),
	(SELECT count(*) FROM classroom_members m WHERE m.classroom_id = c.id) FROM classrooms c`

// Classroom returns the classroom with the given id, or ENOTFOUND.
func (s *Store) Classroom(ctx context.Context, id string) (*sessions.Classroom, error) {
	return s.oneClassroom(ctx, classroomSelect+" WHERE c.id = $1", id)
}

// ClassroomByCode returns the classroom with the given code, or ENOTFOUND.
func (s *Store) ClassroomByCode(ctx context.Context, code string) (*sessions.Classroom, error) {
	return s.oneClassroom(ctx, classroomSelect+" WHERE c.code = $1", code)
}

// InstructorClassrooms returns an instructor's classrooms, newest first.
func (s *Store) InstructorClassrooms(ctx context.Context, instructorID string) ([]*sessions.Classroom, error) {
	rows, err := s.pool.Query(ctx, classroomSelect+" WHERE c.instructor_id = $1 ORDER BY c.created_at DESC, c.id", instructorID)
	if err != nil {
		return nil, unavailable(err)
	}
	list, err := pgx.CollectRows(rows, scanClassroom)
	return list, unavailable(err)
}

// CloseClassroom closes a classroom so nobody joins it any more. It reports
// whether the classroom was open until now.
func (s *Store) CloseClassroom(ctx context.Context, id string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE classrooms SET status = 'closed', closed_at = now()
		WHERE id = $1 AND status = 'open'`, id)
	if err != nil {
		return false, unavailable(err)
	}
	return tag.RowsAffected() > 0, nil
}

// LiveScopeSessions returns the ids of the live sessions started under a
// scope (a classroom id).
func (s *Store) LiveScopeSessions(ctx context.Context, scope string) ([]string, error) {
	rows, err := s.pool.Query(ctx, "SELECT id FROM sessions WHERE scope = $1 AND status <> 'ended' ORDER BY created_at", scope)
	if err != nil {
		return nil, unavailable(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, unavailable(err)
}

// ScopeProgress returns the progress rows of a lab taken under a scope, by
// user id, for the given users or for everyone when userIDs is nil.
func (s *Store) ScopeProgress(ctx context.Context, scope, lab string, userIDs []string) (map[string][]sessions.SectionProgress, error) {
	query := `SELECT user_id, section, status, attempts, first_seen_at, completed_at, updated_at, last_output
		FROM progress WHERE scope = $1 AND lab = $2`
	args := []any{scope, lab}
	if userIDs != nil {
		query += " AND user_id = ANY($3)"
		args = append(args, userIDs)
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rows.Close()
	out := map[string][]sessions.SectionProgress{}
	for rows.Next() {
		var user string
		p, err := scanProgress(rows, &user)
		if err != nil {
			return nil, unavailable(err)
		}
		out[user] = append(out[user], p)
	}
	return out, unavailable(rows.Err())
}

func (s *Store) oneClassroom(ctx context.Context, query string, args ...any) (*sessions.Classroom, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, unavailable(err)
	}
	c, err := pgx.CollectExactlyOneRow(rows, scanClassroom)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fault.Errorf(fault.ENOTFOUND, "Classroom not found.")
	}
	return c, unavailable(err)
}

func scanClassroom(row pgx.CollectableRow) (*sessions.Classroom, error) {
	var c sessions.Classroom
	err := row.Scan(&c.ID, &c.InstructorID, &c.Code, &c.Name, &c.Lab, &c.Lang, &c.SessionMinutes, &c.Seats,
		&c.Status, &c.CreatedAt, &c.ClosedAt, &c.Members)
	if c.ClosedAt.Unix() == 0 {
		c.ClosedAt = time.Time{}
	}
	return &c, err
}
