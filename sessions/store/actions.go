package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions"
)

// ActionRecord is an instructor's action as it is written to the event log.
type ActionRecord struct {
	Scope     string // the classroom
	Lab       string
	UserID    string // the learner acted on, or "" for the whole class
	SessionID string
	Kind      string // one of sessions.Action*
	Actor     string // the instructor
	Node      string
	Detail    string
}

// RecordAction writes an instructor's action to the event log, which
// announces it to the class's dashboards and to the learner's page.
func (s *Store) RecordAction(ctx context.Context, a ActionRecord) error {
	return recordAction(ctx, s.pool, a)
}

func recordAction(ctx context.Context, q execer, a ActionRecord) error {
	_, err := q.Exec(ctx, `INSERT INTO progress_events (user_id, lab, scope, session_id, kind, actor, node, output)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, a.UserID, a.Lab, a.Scope, a.SessionID, a.Kind, a.Actor, a.Node, a.Detail)
	return unavailable(err)
}

// actionKinds are the event kinds that are an instructor's actions.
var actionKinds = []string{sessions.ActionExtend, sessions.ActionMessage, sessions.ActionResetNode,
	sessions.ActionResetSession, sessions.ActionPause, sessions.ActionResume}

// Actions returns the latest instructor's actions on a classroom, newest
// first, at most limit.
func (s *Store) Actions(ctx context.Context, classroomID string, limit int) ([]sessions.Action, error) {
	rows, err := s.pool.Query(ctx, `SELECT e.id, e.kind, coalesce(m.id, ''), coalesce(m.display_name, ''), e.session_id,
		e.node, e.output, e.created_at
		FROM progress_events e LEFT JOIN classroom_members m ON m.classroom_id = e.scope AND m.user_id = e.user_id
		WHERE e.scope = $1 AND e.kind = ANY($2) ORDER BY e.id DESC LIMIT $3`, classroomID, actionKinds, limit)
	if err != nil {
		return nil, unavailable(err)
	}
	list, err := pgx.CollectRows(rows, scanAction)
	return list, unavailable(err)
}

// SessionResets returns the latest node and session resets of a session,
// newest first, at most limit.
func (s *Store) SessionResets(ctx context.Context, sessionID string, limit int) ([]sessions.Action, error) {
	rows, err := s.pool.Query(ctx, `SELECT e.id, e.kind, '', '', e.session_id, e.node, e.output, e.created_at
		FROM progress_events e WHERE e.session_id = $1 AND e.kind IN ('reset_node', 'reset_session')
		ORDER BY e.id DESC LIMIT $2`, sessionID, limit)
	if err != nil {
		return nil, unavailable(err)
	}
	list, err := pgx.CollectRows(rows, scanAction)
	return list, unavailable(err)
}

func scanAction(row pgx.CollectableRow) (sessions.Action, error) {
	var a sessions.Action
	err := row.Scan(&a.ID, &a.Kind, &a.Learner, &a.Name, &a.SessionID, &a.Node, &a.Detail, &a.At)
	return a, err
}

// AddMessage keeps a message to a whole classroom and records it in the
// event log, which announces it to every learner's page.
func (s *Store) AddMessage(ctx context.Context, c *sessions.Classroom, actor, text string) (*sessions.ClassMessage, error) {
	m := &sessions.ClassMessage{Text: text}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO classroom_messages (classroom_id, body) VALUES ($1, $2)
			RETURNING id, created_at`, c.ID, text).Scan(&m.ID, &m.At); err != nil {
			return unavailable(err)
		}
		return recordAction(ctx, tx, ActionRecord{Scope: c.ID, Lab: c.Lab, Kind: sessions.ActionMessage, Actor: actor, Detail: text})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Messages returns the messages of a classroom that a learner of it has
// not dismissed, oldest first, at most limit (the latest ones). Someone
// who has no seat in the classroom gets none.
func (s *Store) Messages(ctx context.Context, classroomID, userID string, limit int) ([]sessions.ClassMessage, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, body, created_at FROM (
		SELECT g.id, g.body, g.created_at FROM classroom_messages g
		JOIN classroom_members m ON m.classroom_id = g.classroom_id AND m.user_id = $2
		WHERE g.classroom_id = $1 AND NOT EXISTS (
			SELECT 1 FROM classroom_message_dismissals d WHERE d.message_id = g.id AND d.user_id = $2)
		ORDER BY g.id DESC LIMIT $3) latest ORDER BY id`, classroomID, userID, limit)
	if err != nil {
		return nil, unavailable(err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sessions.ClassMessage, error) {
		var m sessions.ClassMessage
		err := r.Scan(&m.ID, &m.Text, &m.At)
		return m, err
	})
	return list, unavailable(err)
}

// DismissMessage records that a learner of the classroom dismissed one of
// its messages. A message of another classroom, or a learner without a
// seat, is ENOTFOUND; dismissing twice is fine.
func (s *Store) DismissMessage(ctx context.Context, classroomID, userID string, id int64) error {
	var found bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM classroom_messages g
		JOIN classroom_members m ON m.classroom_id = g.classroom_id AND m.user_id = $2
		WHERE g.id = $3 AND g.classroom_id = $1)`, classroomID, userID, id).Scan(&found)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return unavailable(err)
	}
	if !found {
		return fault.Errorf(fault.ENOTFOUND, "No such message.")
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO classroom_message_dismissals (message_id, user_id) VALUES ($1, $2)
		ON CONFLICT DO NOTHING`, id, userID)
	return unavailable(err)
}
