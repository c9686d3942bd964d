package manager

import (
	"context"
	"encoding/json"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/labs"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/store"
)

// Answer grades a learner's answer to a quiz of the session's lab, in the
// session's language, and records it. A right answer that leaves no quiz
// of its section unanswered completes the section when its checks pass
// (they run then, as a check does; a section without checks is done at
// once). Answers go through the session's gate like checks.
func (m *Manager) Answer(ctx context.Context, s *sessions.Session, lab *labs.Lab, quiz string, a labs.Answer) (sessions.QuizResult, error) {
	section, ok := lab.QuizSection(quiz)
	if !ok {
		return sessions.QuizResult{}, fault.Errorf(fault.ENOTFOUND, "The lab has no quiz %q.", quiz)
	}
	if !s.Live() {
		return sessions.QuizResult{}, errEnded()
	}
	leave, err := m.gates.enter(ctx, s.ID)
	if err != nil {
		return sessions.QuizResult{}, err
	}
	defer leave()
	correct, feedback, err := lab.Grade(s.Lang, quiz, a)
	if err != nil {
		return sessions.QuizResult{}, err
	}
	given, _ := json.Marshal(a)
	if _, err := m.store.RecordQuizAnswer(ctx, store.QuizAnswer{Learner: learner(s), Section: section, Quiz: quiz,
		SessionID: s.ID, Correct: correct, Answer: sessions.Clip(string(given), maxCheckOutput)}); err != nil {
		return sessions.QuizResult{}, err
	}
	res := sessions.QuizResult{Correct: correct, Feedback: feedback}
	if !correct {
		return res, nil
	}
	if res.SectionDone, err = m.sectionDone(ctx, s, section); err != nil || res.SectionDone {
		return res, err
	}
	left, err := m.quizzesLeft(ctx, s, lab, section)
	if err != nil || left > 0 {
		return res, err
	}
	kind := "ack"
	if checks := lab.Checks(section); len(checks) > 0 {
		kind = "check"
		started := time.Now()
		cr, err := m.runChecks(ctx, s, checks)
		m.cfg.Metrics.CheckRan(map[bool]string{true: "passed", false: "failed"}[cr.Passed], true, time.Since(started))
		// A failure is not the learner's attempt at the section: they
		// answered a quiz. Their next check tells them what is missing.
		if err != nil || !cr.Passed {
			return res, err
		}
	}
	if _, err := m.store.RecordAttempt(ctx, store.Attempt{Learner: learner(s), Section: section, SessionID: s.ID,
		Kind: kind, Passed: true}); err != nil {
		return res, err
	}
	res.SectionDone = true
	return res, nil
}

// quizzesLeft counts the quizzes of a section that the session's learner
// has not answered right yet.
func (m *Manager) quizzesLeft(ctx context.Context, s *sessions.Session, lab *labs.Lab, section string) (int, error) {
	ids := lab.Quizzes(section)
	if len(ids) == 0 {
		return 0, nil
	}
	keys := make([]string, len(ids))
	for i, q := range ids {
		keys[i] = sessions.QuizKey(q)
	}
	rows, err := m.store.Progress(ctx, learner(s), keys)
	if err != nil {
		return 0, err
	}
	left := 0
	for _, p := range rows {
		if p.Status != sessions.SectionDone {
			left++
		}
	}
	return left, nil
}

// labQuizzes maps each section of lab to the ids of its quizzes.
func labQuizzes(lab *labs.Lab) map[string][]string {
	out := map[string][]string{}
	for _, s := range lab.Sections() {
		if len(s.Quizzes) > 0 {
			out[s.ID] = s.Quizzes
		}
	}
	return out
}
