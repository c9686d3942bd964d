package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/labplay/playground/sessions"
)

// QuizAnswer is one answer of a learner to a quiz.
type QuizAnswer struct {
	Learner
	Section   string // the section that holds the quiz
	Quiz      string
	SessionID string
	Correct   bool
	Answer    string // the answer given, as text, for the event log
}

// RecordQuizAnswer logs an answer as an event and counts it in the quiz's
// progress: a right answer marks the quiz done, a wrong one failed, unless
// it was done already. Answers after the first right one are logged but
// not counted, so attempts stays the number of answers it took.
func (s *Store) RecordQuizAnswer(ctx context.Context, a QuizAnswer) (sessions.SectionProgress, error) {
	status := sessions.SectionFailed
	if a.Correct {
		status = sessions.SectionDone
	}
	var p sessions.SectionProgress
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		row := tx.QueryRow(ctx, `INSERT INTO progress AS p (user_id, lab, scope, section, status, attempts, completed_at)
			VALUES ($1, $2, $3, $4, $5, 1, CASE WHEN $6 THEN now() END)
			ON CONFLICT (user_id, lab, scope, section) DO UPDATE SET
				attempts = CASE WHEN p.status = 'done' THEN p.attempts ELSE p.attempts + 1 END,
				status = CASE WHEN p.status = 'done' THEN 'done' ELSE EXCLUDED.status END,
				completed_at = coalesce(p.completed_at, EXCLUDED.completed_at),
				updated_at = now()
			RETURNING section, status, attempts, first_seen_at, completed_at, updated_at, last_output`,
			a.UserID, a.Lab, a.Scope, sessions.QuizKey(a.Quiz), status, a.Correct)
		var err error
		p, err = scanProgress(row)
		if err != nil {
			return unavailable(err)
		}
		_, err = tx.Exec(ctx, `INSERT INTO progress_events (user_id, lab, scope, section, quiz, session_id, kind, passed, output)
			VALUES ($1, $2, $3, $4, $5, $6, 'quiz', $7, $8)`,
			a.UserID, a.Lab, a.Scope, a.Section, a.Quiz, a.SessionID, a.Correct, a.Answer)
		return unavailable(err)
	})
	return p, err
}
