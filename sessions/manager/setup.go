package manager

import (
	"context"
	"strings"
	"sync"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/labs"
	"github.com/labplay/playground/sessions"
)

// maxSetupLog caps the output of a setup script written to the log.
const maxSetupLog = 4 << 10

// setupRuns holds, per session, its latest run of hidden setups. Runs of
// one session follow each other in the order they were asked for, so a
// section's setups always run after those of the sections before it.
type setupRuns struct {
	mu     sync.Mutex
	latest map[string]*setupRun
}

// setupRun is one batch of hidden setups: done is closed when it ends,
// after results is written.
type setupRun struct {
	done    chan struct{}
	results []sessions.SetupResult
}

// StartSection opens a section of the session's lab, the first time the
// learner reaches it. The setups of that section, and of the sections
// before it whose setups have not run yet in this session, are claimed
// (once per session, across server processes). Their hidden setups run in
// the background, in the order of the lab, as the node's root; their output
// goes to the log. The section's terminal setups come back for the page to
// type, the first time only; those of earlier sections, opened late, are
// skipped. With wait, StartSection returns once the session's hidden setups
// have ended, with how each of those it started ended. An unknown section
// is ENOTFOUND; a session still starting is EUNAVAILABLE, and nothing is
// claimed.
func (m *Manager) StartSection(ctx context.Context, s *sessions.Session, lab *labs.Lab, section string, wait bool) (sessions.SectionStart, error) {
	res := sessions.SectionStart{Terminal: []sessions.NodeCommand{}}
	if !lab.HasSection(section) {
		return res, fault.Errorf(fault.ENOTFOUND, "The lab has no section %q.", section)
	}
	if !s.Live() {
		return res, errEnded()
	}
	if s.Status != sessions.StatusRunning {
		// Its nodes may not be there yet; nothing is claimed.
		return res, fault.Errorf(fault.EUNAVAILABLE, "The session is still starting; open the section again in a moment.")
	}
	var want []string
	for _, id := range lab.SectionIDs() {
		if len(lab.Setups(id)) > 0 {
			want = append(want, id)
		}
		if id == section {
			break
		}
	}
	claimed, err := m.store.ClaimSetups(ctx, s.ID, want)
	if err != nil {
		return res, err
	}
	var hidden []labs.Setup
	for _, id := range claimed {
		for _, su := range lab.Setups(id) {
			switch {
			case !su.Terminal:
				hidden = append(hidden, su)
			case id == section:
				res.Terminal = append(res.Terminal, sessions.NodeCommand{Node: su.Node, Command: su.Script})
			}
		}
	}
	run := m.runSetups(s, hidden)
	if !wait {
		return res, nil
	}
	m.setups.mu.Lock()
	latest := m.setups.latest[s.ID]
	m.setups.mu.Unlock()
	for _, r := range []*setupRun{run, latest} {
		if r == nil {
			continue
		}
		select {
		case <-r.done:
		case <-ctx.Done():
			return res, fault.Wrap(fault.EUNAVAILABLE, ctx.Err(), "The section's setup is still running.")
		}
	}
	if run != nil {
		res.Setups = run.results
	}
	return res, nil
}

// runSetups runs hidden setups in the background, after the session's
// earlier runs and its lab's images; it returns nil when there are none.
func (m *Manager) runSetups(s *sessions.Session, setups []labs.Setup) *setupRun {
	if len(setups) == 0 {
		return nil
	}
	containers := map[string]string{}
	for _, n := range s.Nodes {
		containers[n.Name] = n.ContainerID
	}
	run := &setupRun{done: make(chan struct{})}
	m.setups.mu.Lock()
	prev := m.setups.latest[s.ID]
	m.setups.latest[s.ID] = run
	m.setups.mu.Unlock()
	finish := func() {
		m.setups.mu.Lock()
		if m.setups.latest[s.ID] == run {
			delete(m.setups.latest, s.ID)
		}
		m.setups.mu.Unlock()
		close(run.done)
	}
	id := s.ID
	ok := m.goBackground(func(ctx context.Context) {
		defer finish()
		if prev != nil {
			select {
			case <-prev.done:
			case <-ctx.Done():
				return
			}
		}
		wctx, cancel := context.WithTimeout(ctx, imageWait)
		_ = m.waitImages(wctx, id) // a setup that needs a missing image says so in the log
		cancel()
		for _, su := range setups {
			run.results = append(run.results, m.runSetup(ctx, id, containers[su.Node], su))
		}
	})
	if !ok { // the manager is stopping
		finish()
	}
	return run
}

// runSetup runs one hidden setup on its node and logs how it went.
func (m *Manager) runSetup(ctx context.Context, sessionID, container string, su labs.Setup) sessions.SetupResult {
	r := sessions.SetupResult{Section: su.Section, Node: su.Node}
	log := m.log.With("session", sessionID, "section", su.Section, "node", su.Node)
	if container == "" {
		log.Warn("section setup not run: the session has no such node")
		return r
	}
	out, code, err := m.engine.Exec(ctx, container, su.Script, su.Timeout)
	out = sessions.Clip(strings.TrimSpace(out), maxSetupLog)
	switch {
	case err != nil:
		log.Warn("section setup failed", "err", err, "output", out)
	case code != 0:
		log.Warn("section setup failed", "exit", code, "output", out)
	default:
		r.Passed = true
		log.Info("section setup ran", "output", out)
	}
	return r
}
