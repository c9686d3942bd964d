package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/labplay/playground/sessions"
)

// Learner names whose progress is meant: a user, a lab, and the scope the lab
// is taken in (” for anonymous practice, a classroom id otherwise).
type Learner struct {
	UserID string
	Lab    string
	Scope  string
}

// Progress returns the learner's state in each of the given sections, in
// that order; sections never attempted are pending.
func (s *Store) Progress(ctx context.Context, l Learner, sectionIDs []string) ([]sessions.SectionProgress, error) {
	rows, err := s.pool.Query(ctx, `SELECT section, status, attempts, first_seen_at, completed_at,
		updated_at, last_output FROM progress WHERE user_id = $1 AND lab = $2 AND scope = $3`, l.UserID, l.Lab, l.Scope)
	if err != nil {
		return nil, unavailable(err)
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sessions.SectionProgress, error) { return scanProgress(r) })
	if err != nil {
		return nil, unavailable(err)
	}
	return sessions.InSectionOrder(found, sectionIDs), nil
}

// scanProgress reads a progress row: section, status, attempts, first seen,
// completed, updated and last output, after the extra columns (if any) the
// query selects first.
func scanProgress(row pgx.Row, extra ...any) (sessions.SectionProgress, error) {
	var p sessions.SectionProgress
	var completed *time.Time
	err := row.Scan(append(extra, &p.Section, &p.Status, &p.Attempts, &p.FirstSeenAt, &completed, &p.UpdatedAt, &p.Output)...)
	if completed != nil {
		p.CompletedAt = *completed
	}
	return p, err
}

// Attempt is one check (or acknowledgement) of a section by a learner.
type Attempt struct {
	Learner
	Section   string
	SessionID string
	Kind      string // "check" or "ack"
	Passed    bool
	Output    string
}

// RecordAttempt counts an attempt at a section and logs it as an event. A
// passing attempt marks the section done; a failing one marks it failed,
// unless it was done already: a section once done stays done, and later
// failures are only counted.
func (s *Store) RecordAttempt(ctx context.Context, a Attempt) (sessions.SectionProgress, error) {
	status := sessions.SectionFailed
	if a.Passed {
		status = sessions.SectionDone
	}
	var p sessions.SectionProgress
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		row := tx.QueryRow(ctx, `INSERT INTO progress AS p (user_id, lab, scope, section, status, attempts, completed_at, last_output)
			VALUES ($1, $2, $3, $4, $5, 1, CASE WHEN $6 THEN now() END, $7)
			ON CONFLICT (user_id, lab, scope, section) DO UPDATE SET
				attempts = p.attempts + 1,
				status = CASE WHEN p.status = 'done' THEN 'done' ELSE EXCLUDED.status END,
				completed_at = coalesce(p.completed_at, EXCLUDED.completed_at),
				last_output = EXCLUDED.last_output,
				updated_at = now()
			RETURNING section, status, attempts, first_seen_at, completed_at, updated_at, last_output`,
			a.UserID, a.Lab, a.Scope, a.Section, status, a.Passed, a.Output)
		var err error
		p, err = scanProgress(row)
		if err != nil {
			return unavailable(err)
		}
		_, err = tx.Exec(ctx, `INSERT INTO progress_events (user_id, lab, scope, section, session_id, kind, passed, output)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			a.UserID, a.Lab, a.Scope, a.Section, a.SessionID, a.Kind, a.Passed, a.Output)
		return unavailable(err)
	})
	return p, err
}

// ResetProgress forgets the learner's progress in a lab, so they can start
// it again from scratch, and logs the reset as an event.
func (s *Store) ResetProgress(ctx context.Context, l Learner, sessionID string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM progress WHERE user_id = $1 AND lab = $2 AND scope = $3", l.UserID, l.Lab, l.Scope); err != nil {
			return unavailable(err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO progress_events (user_id, lab, scope, session_id, kind)
			VALUES ($1, $2, $3, $4, 'reset')`, l.UserID, l.Lab, l.Scope, sessionID)
		return unavailable(err)
	})
}

// PruneEvents deletes progress events older than before and returns how
// many went. Progress itself (one row per learner and section) stays.
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, "DELETE FROM progress_events WHERE created_at < $1", before)
	if err != nil {
		return 0, unavailable(err)
	}
	return tag.RowsAffected(), nil
}
