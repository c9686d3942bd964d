package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/jackc/pgx/v5"

	"github.com/labplay/playground/sessions"
)

// CreateInstructor inserts an instructor. An email already taken, in any
// letter case, answers ECONFLICT.
func (s *Store) CreateInstructor(ctx context.Context, in *sessions.Instructor) error {
	err := s.pool.QueryRow(ctx, `INSERT INTO instructors (id, email, password_hash) VALUES ($1, $2, $3)
		RETURNING created_at`, in.ID, strings.TrimSpace(in.Email), in.PasswordHash).Scan(&in.CreatedAt)
	if isUniqueViolation(err, "instructors_email") {
		return fault.Errorf(fault.ECONFLICT, "An instructor with the email %s already exists.", in.Email)
	}
	return unavailable(err)
}

// InstructorByEmail returns the instructor with the given email, in any
// letter case, or ENOTFOUND.
func (s *Store) InstructorByEmail(ctx context.Context, email string) (*sessions.Instructor, error) {
	return s.oneInstructor(ctx, `SELECT id, email, password_hash, created_at FROM instructors
		WHERE lower(email) = lower($1)`, strings.TrimSpace(email))
}

// Instructors returns every instructor, oldest first.
func (s *Store) Instructors(ctx context.Context) ([]*sessions.Instructor, error) {
	rows, err := s.pool.Query(ctx, "SELECT id, email, password_hash, created_at FROM instructors ORDER BY created_at, email")
	if err != nil {
		return nil, unavailable(err)
	}
	list, err := pgx.CollectRows(rows, scanInstructor)
	return list, unavailable(err)
}

// SetInstructorPassword replaces an instructor's password hash and ends every
// login they hold. An unknown id answers ENOTFOUND.
func (s *Store) SetInstructorPassword(ctx context.Context, id, hash string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE instructors SET password_hash = $2 WHERE id = $1", id, hash)
		if err != nil {
			return unavailable(err)
		}
		if tag.RowsAffected() == 0 {
			return fault.Errorf(fault.ENOTFOUND, "No such instructor.")
		}
		_, err = tx.Exec(ctx, "DELETE FROM instructor_tokens WHERE instructor_id = $1", id)
		return unavailable(err)
	})
}

// CreateLoginToken records a login: the SHA-256 of the token the browser
// holds, valid until expires. Expired logins are swept at the same time.
func (s *Store) CreateLoginToken(ctx context.Context, instructorID string, tokenHash []byte, expires time.Time) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM instructor_tokens WHERE expires_at <= now()"); err != nil {
			return unavailable(err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO instructor_tokens (token_hash, instructor_id, expires_at) VALUES ($1, $2, $3)`,
			tokenHash, instructorID, expires)
		return unavailable(err)
	})
}

// InstructorByToken returns the instructor logged in with the token whose
// hash is given. A token that is unknown, revoked or expired answers
// EUNAUTHORIZED.
func (s *Store) InstructorByToken(ctx context.Context, tokenHash []byte) (*sessions.Instructor, error) {
	in, err := s.oneInstructor(ctx, `SELECT i.id, i.email, i.password_hash, i.created_at
		FROM instructor_tokens t JOIN instructors i ON i.id = t.instructor_id
		WHERE t.token_hash = $1 AND t.expires_at > now()`, tokenHash)
	if fault.ErrorCode(err) == fault.ENOTFOUND {
		return nil, fault.Errorf(fault.EUNAUTHORIZED, "Log in as an instructor first.")
	}
	return in, err
}

// DeleteLoginToken revokes a login. Revoking an unknown token changes nothing.
func (s *Store) DeleteLoginToken(ctx context.Context, tokenHash []byte) error {
	_, err := s.pool.Exec(ctx, "DELETE FROM instructor_tokens WHERE token_hash = $1", tokenHash)
	return unavailable(err)
}

// oneInstructor runs a query for at most one instructor; none is ENOTFOUND.
func (s *Store) oneInstructor(ctx context.Context, query string, args ...any) (*sessions.Instructor, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, unavailable(err)
	}
	in, err := pgx.CollectExactlyOneRow(rows, scanInstructor)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fault.Errorf(fault.ENOTFOUND, "No such instructor.")
	}
	return in, unavailable(err)
}

func scanInstructor(row pgx.CollectableRow) (*sessions.Instructor, error) {
	var in sessions.Instructor
	err := row.Scan(&in.ID, &in.Email, &in.PasswordHash, &in.CreatedAt)
	return &in, err
}
