package manager

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/labs"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/store"
)

// imageWait bounds how long a Run click waits for the lab's images.
const imageWait = 90 * time.Second

// maxCheckOutput caps the check output kept as a hint.
const maxCheckOutput = 4 << 10

// learner names whose progress a session records.
func learner(s *sessions.Session) store.Learner {
	return store.Learner{UserID: s.UserID, Lab: s.Lab, Scope: s.Scope}
}

// Progress returns the session owner's progress through the session's lab,
// one entry per section in order, each with the state of its quizzes.
func (m *Manager) Progress(ctx context.Context, s *sessions.Session, lab *labs.Lab) ([]sessions.SectionProgress, error) {
	ids := lab.SectionIDs()
	quizzes := labQuizzes(lab)
	keys := slices.Clone(ids)
	for _, id := range ids {
		for _, q := range quizzes[id] {
			keys = append(keys, sessions.QuizKey(q))
		}
	}
	rows, err := m.store.Progress(ctx, learner(s), keys)
	if err != nil {
		return nil, err
	}
	return sessions.WithQuizzes(rows, ids, quizzes), nil
}

// ResetProgress forgets the owner's progress in the session's lab. It goes
// through the session's gate like checks, since each reset is an event.
func (m *Manager) ResetProgress(ctx context.Context, s *sessions.Session) error {
	leave, err := m.gates.enter(ctx, s.ID)
	if err != nil {
		return err
	}
	defer leave()
	return m.store.ResetProgress(ctx, learner(s), s.ID)
}

// Check runs the checks of a section on the session's nodes and records the
// attempt. A section without checks is acknowledged: it passes. A section
// with quizzes is done only once they are all answered right: until then,
// checks that pass are answered with the number of quizzes left and not
// recorded (the right answer to the last quiz completes the section, see
// Answer).
//
// An automatic check (auto set: the page polling while the learner works)
// is recorded only when it changes something: a pass of a section not yet
// done. Its failures are neither attempts nor events, so an open tab does not
// fill the log or the instructor's grid with noise.
func (m *Manager) Check(ctx context.Context, s *sessions.Session, lab *labs.Lab, section string, auto bool) (sessions.CheckResult, error) {
	if !lab.HasSection(section) {
		return sessions.CheckResult{}, fault.Errorf(fault.ENOTFOUND, "The lab has no section %q.", section)
	}
	if !s.Live() {
		return sessions.CheckResult{}, errEnded()
	}
	leave, err := m.gates.enter(ctx, s.ID)
	if err != nil {
		return sessions.CheckResult{}, err
	}
	defer leave()
	checks := lab.Checks(section)
	kind := "check"
	res := sessions.CheckResult{Passed: true}
	if len(checks) == 0 {
		// Marking a section without checks done again changes nothing, and
		// is not written again.
		done, err := m.sectionDone(ctx, s, section)
		if err != nil || done {
			return res, err
		}
		kind = "ack"
	} else {
		started := time.Now()
		res, err = m.runChecks(ctx, s, checks)
		outcome := map[bool]string{true: "passed", false: "failed"}[res.Passed]
		if err != nil {
			outcome = "error"
		}
		m.cfg.Metrics.CheckRan(outcome, auto, time.Since(started))
		if err != nil {
			return res, err
		}
	}
	if res.Passed {
		left, err := m.quizzesLeft(ctx, s, lab, section)
		if err != nil || left > 0 {
			res.QuizzesLeft = left
			return res, err
		}
	}
	if auto {
		if !res.Passed {
			return res, nil
		}
		done, err := m.sectionDone(ctx, s, section)
		if err != nil || done {
			return res, err
		}
	}
	_, err = m.store.RecordAttempt(ctx, store.Attempt{
		Learner: learner(s), Section: section, SessionID: s.ID, Kind: kind,
		Passed: res.Passed, Output: res.Output,
	})
	return res, err
}

// sectionDone reports whether the session's learner has finished section.
func (m *Manager) sectionDone(ctx context.Context, s *sessions.Session, section string) (bool, error) {
	p, err := m.store.Progress(ctx, learner(s), []string{section})
	if err != nil {
		return false, err
	}
	return p[0].Status == sessions.SectionDone, nil
}

// runChecks runs every check of a section in parallel; the section passes
// when all of them pass, and the hint is the output of those that failed.
func (m *Manager) runChecks(ctx context.Context, s *sessions.Session, checks []labs.Check) (sessions.CheckResult, error) {
	results := make([]sessions.CheckResult, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = m.runCheck(ctx, s, c)
		}()
	}
	wg.Wait()
	res := sessions.CheckResult{Passed: true}
	var hints []string
	for _, r := range results {
		if !r.Passed {
			res.Passed = false
			if r.Output != "" {
				hints = append(hints, r.Output)
			}
		}
	}
	if !res.Passed {
		res.Output = sessions.Clip(strings.Join(hints, "\n"), maxCheckOutput)
	}
	return res, nil
}

// runCheck runs one check script on its node.
func (m *Manager) runCheck(ctx context.Context, s *sessions.Session, c labs.Check) sessions.CheckResult {
	node := s.Node(c.Node)
	if node == nil || node.ContainerID == "" {
		return sessions.CheckResult{Output: c.Node + " is not part of this session."}
	}
	out, code, err := m.engine.Exec(ctx, node.ContainerID, c.Script, c.Timeout)
	if err != nil {
		return sessions.CheckResult{Output: c.Node + ": " + fault.ErrorMessage(err)}
	}
	return sessions.CheckResult{Passed: code == 0, Output: sessions.Clip(strings.TrimSpace(out), maxCheckOutput)}
}

// Resolve returns the node and the command of a run block, with every value
// it names worked out on the live nodes.
func (m *Manager) Resolve(ctx context.Context, s *sessions.Session, lab *labs.Lab, blockID string) (node, command string, err error) {
	block, ok := lab.Block(blockID)
	if !ok {
		return "", "", fault.Errorf(fault.ENOTFOUND, "The lab has no run block %q.", blockID)
	}
	if !s.Live() {
		return "", "", errEnded()
	}
	wctx, cancel := context.WithTimeout(ctx, imageWait)
	err = m.waitImages(wctx, s.ID)
	cancel()
	if err != nil {
		return "", "", err
	}
	if len(labs.Placeholders(block.Command)) > 0 {
		leave, err := m.gates.enter(ctx, s.ID)
		if err != nil {
			return "", "", err
		}
		defer leave()
	}
	values := map[string]string{}
	for _, name := range labs.Placeholders(block.Command) {
		v, ok := lab.Value(name)
		if !ok {
			return "", "", fault.Errorf(fault.EINTERNAL, "The lab names an unknown value %q.", name)
		}
		n := s.Node(v.Node)
		if n == nil {
			return "", "", fault.Errorf(fault.EINTERNAL, "The lab's value %q runs on unknown node %q.", name, v.Node)
		}
		out, code, err := m.engine.Exec(ctx, n.ContainerID, v.Script, v.Timeout) // the lab sets a default
		if err != nil {
			return "", "", err
		}
		out = strings.TrimSpace(out)
		if code != 0 || out == "" {
			return "", "", fault.Errorf(fault.ECONFLICT, "This step needs a value from %s that is not there yet (%s): %s",
				v.Node, name, sessions.Clip(firstLine(out), 200))
		}
		values[name] = out
	}
	return block.Node, labs.Substitute(block.Command, values), nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
