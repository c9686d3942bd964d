package manager

import (
	"context"
	"sync"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/store"
)

// Pause and resume. A paused session's nodes are stopped, so their memory
// and CPU go back to the host, and everything else stays: their disks (the
// learner's files, images, containers, volumes and swarm state), the
// session's network and subnet, and the lab's progress. Resuming starts
// the same containers again; the shells are new.
//
// Time: a session's clock stands still while it is paused. The time it had
// left when paused is what it has when it resumes (expires_at moves on by
// the pause's length), and the longest lifetime counts running time only.
// A paused session has a deadline of its own, PausedLifetime after its
// pause began: a session still paused then ends.
//
// Caps: a paused session holds disks, not memory. It counts against the
// host's paused sessions (MaxPaused, the disk budget), and against its
// learner's and address's sessions (MaxPerLearner, MaxPerAddress) just as
// a running one does, so pausing never lets anyone hold more sessions; it
// does not count against the host's live sessions (MaxSessions), which a
// resume must find room in.

// Pause stops the nodes of the caller's running session and keeps their
// disks, and returns the session. A paused session is returned as it is; a
// session still starting, or ended, is ECONFLICT; a host that keeps
// Config.MaxPaused paused sessions already is EFULL.
func (m *Manager) Pause(ctx context.Context, userID, id string) (*sessions.Session, error) {
	s, err := m.Get(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	if err := m.pause(ctx, s, "asked"); err != nil {
		return nil, err
	}
	return m.Get(ctx, userID, id)
}

// Resume starts the nodes of the caller's paused session again, waits for
// their engines and returns the session. A running session is returned as
// it is; an ended one is ECONFLICT; a full host is EFULL with a retry
// delay (the session stays paused).
func (m *Manager) Resume(ctx context.Context, userID, id string) (*sessions.Session, error) {
	s, err := m.Get(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	if err := m.resume(ctx, s); err != nil {
		return nil, err
	}
	return m.Get(ctx, userID, id)
}

// pause pauses s, for why (logged).
func (m *Manager) pause(ctx context.Context, s *sessions.Session, why string) error {
	switch {
	case !s.Live():
		return errEnded()
	case s.Paused():
		return nil
	case s.Instance != m.instance():
		return fault.Errorf(fault.ECONFLICT, "This session runs on another server of the playground; pause it there.")
	}
	leave, err := m.gates.enter(ctx, s.ID)
	if err != nil {
		return err
	}
	defer leave()
	// Once recorded, the pause is finished whatever the caller does.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), endTimeout)
	defer cancel()
	started := time.Now()
	if err := m.store.PauseSession(ctx, m.instance(), s.ID, m.pausedLifetime(), store.PauseLimits{MaxPaused: m.cfg.MaxPaused}); err != nil {
		return err
	}
	m.phases.Store(s.ID, sessions.PhasePausing)
	defer m.phases.Delete(s.ID)
	err = m.forNodes(s, func(n *sessions.Node) error {
		if err := m.engine.StopNode(ctx, n.ContainerID); err != nil {
			return err
		}
		n.Status = sessions.NodeStopped
		return nil
	})
	if uerr := m.store.UpdateNodes(ctx, s.ID, s.Nodes); uerr != nil && err == nil {
		err = uerr
	}
	if err != nil {
		// Recorded paused, with a node that may still run: the periodic
		// work stops it (settlePaused).
		m.log.Warn("a paused session's nodes did not all stop; the next tick tries again", "session", s.ID, "err", err)
		return err
	}
	s.Status = sessions.StatusPaused
	m.log.Info("session paused", "session", s.ID, "why", why, "took", time.Since(started).Round(time.Millisecond), "kept_for", m.pausedLifetime())
	return nil
}

// resume resumes s when it is paused, and fills s in anew.
func (m *Manager) resume(ctx context.Context, s *sessions.Session) error {
	if !s.Paused() {
		if !s.Live() {
			return errEnded()
		}
		return nil
	}
	if s.Instance != m.instance() {
		return fault.Errorf(fault.ECONFLICT, "This session runs on another server of the playground; resume it there.")
	}
	leave, err := m.gates.enter(ctx, s.ID)
	if err != nil {
		return err
	}
	defer leave()
	// Another request may have resumed it while this one waited.
	cur, err := m.store.Session(ctx, s.ID)
	if err != nil {
		return err
	}
	if !cur.Paused() {
		*s = *cur
		if !s.Live() {
			return errEnded()
		}
		return nil
	}
	started := time.Now()
	m.phases.Store(s.ID, sessions.PhaseWaking)
	defer m.phases.Delete(s.ID)
	limits := store.Limits{MaxLive: m.cfg.MaxSessions}
	err = m.store.ResumeSession(ctx, m.instance(), s.ID, limits)
	if fault.ErrorCode(err) == fault.EFULL && m.reclaimPool(ctx) {
		err = m.store.ResumeSession(ctx, m.instance(), s.ID, limits)
	}
	if err != nil {
		return err
	}
	// Recorded running: its nodes start whatever the caller does (and the
	// periodic work revives any that did not).
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.startTimeout())
	defer cancel()
	if err := m.engine.EnsureLimits(ctx); err != nil {
		return err
	}
	err = m.forNodes(cur, func(n *sessions.Node) error {
		if err := m.engine.StartNode(ctx, n.ContainerID); err != nil {
			return err
		}
		if err := m.engine.WaitReady(ctx, n.ContainerID); err != nil {
			return err
		}
		n.Status = sessions.NodeRunning
		return nil
	})
	if uerr := m.store.UpdateNodes(ctx, cur.ID, cur.Nodes); uerr != nil && err == nil {
		err = uerr
	}
	if err != nil {
		m.log.Warn("a resumed session's nodes did not all start; the periodic work revives them", "session", s.ID, "err", err)
		return err
	}
	fresh, err := m.store.Session(ctx, s.ID)
	if err != nil {
		return err
	}
	*s = *fresh
	m.log.Info("session resumed", "session", s.ID, "took", time.Since(started).Round(time.Millisecond), "expires", s.ExpiresAt.UTC())
	// A copy of the lab's images that the pause cut short is finished.
	m.loadLabImages(s)
	return nil
}

// forNodes runs fn on every node of s with a container, all at once, and
// returns the first error.
func (m *Manager) forNodes(s *sessions.Session, fn func(n *sessions.Node) error) error {
	errs := make([]error, len(s.Nodes))
	var wg sync.WaitGroup
	for i := range s.Nodes {
		if s.Nodes[i].ContainerID == "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(&s.Nodes[i])
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// pausedLifetime returns how long a paused session is kept.
func (m *Manager) pausedLifetime() time.Duration {
	if m.cfg.PausedLifetime > 0 {
		return m.cfg.PausedLifetime
	}
	return DefaultPausedLifetime
}

// endPausedTooLong ends the paused sessions whose pause is over, and
// returns how many it ended.
func (m *Manager) endPausedTooLong(ctx context.Context, now time.Time) (int, error) {
	ids, err := m.store.PausedTooLong(ctx, m.instance(), now)
	if err != nil {
		return 0, err
	}
	ended := 0
	for _, id := range ids {
		if err := m.end(ctx, id, "paused too long"); err != nil {
			m.log.Warn("could not end a session paused too long", "session", id, "err", err)
			continue
		}
		ended++
	}
	return ended, nil
}

// settlePaused stops, in the background, the nodes of a paused session
// that run (a pause whose stop failed half-way); a session resumed
// meanwhile is left alone.
func (m *Manager) settlePaused(s *sessions.Session) {
	m.goBackground(func(ctx context.Context) {
		leave, err := m.gates.enter(ctx, s.ID)
		if err != nil {
			return // busy: the next tick looks again
		}
		defer leave()
		cur, err := m.store.Session(ctx, s.ID)
		if err != nil || !cur.Paused() {
			return
		}
		ctx, cancel := context.WithTimeout(ctx, endTimeout)
		defer cancel()
		err = m.forNodes(cur, func(n *sessions.Node) error {
			n.Status = sessions.NodeStopped
			return m.engine.StopNode(ctx, n.ContainerID)
		})
		if err != nil {
			m.log.Warn("could not stop the nodes of a paused session", "session", s.ID, "err", err)
			return
		}
		m.log.Info("stopped the running nodes of a paused session", "session", s.ID)
		if err := m.store.UpdateNodes(ctx, cur.ID, cur.Nodes); err != nil {
			m.log.Warn("could not record a paused session's nodes", "session", s.ID, "err", err)
		}
	})
}
