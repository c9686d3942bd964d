package manager

import (
	"context"
	"errors"
	"time"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/engine"
)

// Reap ends every live session whose time is up, removing its containers,
// volumes and network. It returns how many it ended.
func (m *Manager) Reap(ctx context.Context, now time.Time) (int, error) {
	ids, err := m.store.ExpiredSessions(ctx, m.instance(), now)
	if err != nil {
		return 0, err
	}
	ended := 0
	for _, id := range ids {
		if err := m.end(ctx, id, "expired"); err != nil {
			m.log.Warn("could not end expired session", "session", id, "err", err)
			continue
		}
		ended++
	}
	return ended, nil
}

// Reconcile makes the engine and the store agree: labelled containers and
// networks without a live session are removed, and live sessions whose
// containers vanished are marked ended. After a restart (finishImages) it
// also finishes copying lab images that the restart cut short.
func (m *Manager) Reconcile(ctx context.Context, finishImages bool) error {
	onEngine, err := m.engine.List(ctx)
	if err != nil {
		return err
	}
	live, err := m.store.LiveSessions(ctx, m.instance())
	if err != nil {
		return err
	}
	isLive := make(map[string]bool, len(live))
	for _, s := range live {
		isLive[s.ID] = true
	}
	for id := range onEngine {
		if isLive[id] {
			continue
		}
		m.log.Info("removing leftover session resources", "session", id)
		if err := m.engine.RemoveSession(ctx, id); err != nil {
			m.log.Warn("could not remove leftovers", "session", id, "err", err)
		}
	}
	for _, s := range live {
		if why := lostWith(onEngine[s.ID]); why != "" {
			// Its host is being serviced or is gone: the session cannot
			// go on, and is not started again elsewhere behind the
			// learner's back (its nodes' state is on that host).
			m.log.Info("ending session whose host is lost", "session", s.ID, "why", why)
			if err := m.end(ctx, s.ID, why); err != nil {
				m.log.Warn("could not end session", "session", s.ID, "err", err)
			}
			continue
		}
		if s.Paused() {
			// A paused session's nodes are stopped on purpose: they are
			// never revived, only stopped again if one runs. Vanished
			// containers end it as they would a running one.
			if m.pausedIntact(s, onEngine[s.ID]) {
				continue
			}
			m.log.Info("ending paused session whose containers vanished", "session", s.ID)
			if err := m.end(ctx, s.ID, "containers vanished"); err != nil {
				m.log.Warn("could not end session", "session", s.ID, "err", err)
			}
			continue
		}
		if s.Status == sessions.StatusStarting {
			if time.Since(s.CreatedAt) < m.startTimeout()+time.Minute {
				continue // another process may be starting it right now
			}
			// A start cut short by a restart: its nodes may exist but were
			// never seen ready, so it cannot be trusted.
			m.log.Info("ending session whose start was interrupted", "session", s.ID)
			if err := m.end(ctx, s.ID, "start interrupted"); err != nil {
				m.log.Warn("could not end session", "session", s.ID, "err", err)
			}
			continue
		}
		nodes := onEngine[s.ID]
		byID := make(map[string]engine.Node, len(nodes))
		for _, n := range nodes {
			byID[n.ContainerID] = n
		}
		// A session is intact when every node it records with a container
		// has that container; one being added (no container yet) or being
		// removed does not count against it.
		intact, found := true, 0
		for _, n := range s.Nodes {
			if n.ContainerID == "" {
				continue
			}
			if _, ok := byID[n.ContainerID]; !ok {
				intact = false
			}
			found++
		}
		if intact && found > 0 {
			// Nodes that stopped (the engine restarted, or the host) are
			// started again, which also finishes a copy of the lab's
			// images that was cut short.
			var stopped []engine.Node
			for _, n := range s.Nodes {
				if e, ok := byID[n.ContainerID]; ok && !e.Running {
					stopped = append(stopped, e)
				}
			}
			if len(stopped) > 0 {
				m.revive(s, stopped)
			} else if finishImages {
				// A restart of the server may have cut the copy short:
				// finish it (nodes that have them are skipped).
				m.loadLabImages(s)
			}
			continue
		}
		if m.replacedLately(s.ID) {
			continue // the listing may predate a reset's new nodes
		}
		m.log.Info("ending session whose containers vanished", "session", s.ID, "found", len(nodes), "recorded", found)
		if err := m.end(ctx, s.ID, "containers vanished"); err != nil {
			m.log.Warn("could not end session", "session", s.ID, "err", err)
		}
	}
	return nil
}

// lostWith returns why a session's nodes are lost with their host (the
// first Node.Lost), or "".
func lostWith(nodes []engine.Node) string {
	for _, n := range nodes {
		if n.Lost != "" {
			return n.Lost
		}
	}
	return ""
}

// pausedIntact reports whether every node of a paused session still has
// its container, and sets off stopping any that runs (settlePaused).
func (m *Manager) pausedIntact(s *sessions.Session, nodes []engine.Node) bool {
	byID := make(map[string]engine.Node, len(nodes))
	for _, n := range nodes {
		byID[n.ContainerID] = n
	}
	running := false
	for _, n := range s.Nodes {
		if n.ContainerID == "" {
			continue
		}
		e, ok := byID[n.ContainerID]
		if !ok {
			return false
		}
		running = running || e.Running
	}
	if running {
		m.settlePaused(s)
	}
	return true
}

// sweepRemains removes what ended sessions left on the engine when their
// teardown failed (see end), and forgets each one it cleared.
func (m *Manager) sweepRemains(ctx context.Context) error {
	ids, err := m.store.SessionsWithRemains(ctx, m.instance())
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := m.engine.RemoveSession(ctx, id); err != nil {
			m.log.Warn("the remains of an ended session are still there", "session", id, "err", err)
			continue
		}
		if err := m.store.SetRemains(ctx, id, false); err != nil {
			return err
		}
		m.log.Info("swept the remains of an ended session", "session", id)
	}
	return nil
}

// revive starts the stopped nodes of a live session again, in the
// background, as a learner's Restart node would; a session whose nodes are
// being revived, or restarted by its learner, is left to that.
func (m *Manager) revive(s *sessions.Session, stopped []engine.Node) {
	m.goBackground(func(ctx context.Context) {
		leave, err := m.gates.enter(ctx, s.ID)
		if err != nil {
			// Busy or rate-limited: the next tick looks again.
			m.log.Info("stopped nodes left for the next tick", "session", s.ID, "err", err)
			return
		}
		defer leave()
		// While this waited at the gate the session may have been paused
		// (its nodes stopped on purpose), resumed, or ended.
		if cur, err := m.store.Session(ctx, s.ID); err != nil || cur.Status != sessions.StatusRunning {
			return
		}
		m.log.Info("reviving stopped nodes", "session", s.ID, "nodes", len(stopped))
		ctx, cancel := context.WithTimeout(ctx, m.startTimeout())
		defer cancel()
		if err := m.engine.EnsureLimits(ctx); err != nil {
			m.log.Warn("could not revive stopped nodes", "session", s.ID, "err", err)
			return
		}
		for _, n := range stopped {
			if up, err := m.engine.NodeRunning(ctx, n.ContainerID); err == nil && up {
				continue // started meanwhile (a resume, a restart)
			}
			err := m.engine.StartNode(ctx, n.ContainerID)
			if err == nil {
				err = m.engine.WaitReady(ctx, n.ContainerID)
			}
			if errors.Is(err, sessions.ErrNodeLost) {
				// It cannot start again (a cluster's node whose container
				// stopped): the session is over. A container that is gone
				// is Reconcile's to judge: a reset may have replaced it
				// while this waited at the gate.
				m.log.Info("ending session whose node cannot start again", "session", s.ID, "node", n.Name, "err", err)
				if err := m.end(ctx, s.ID, sessions.ReasonNodeLost); err != nil {
					m.log.Warn("could not end session", "session", s.ID, "err", err)
				}
				return
			}
			if err != nil {
				m.log.Warn("could not revive a stopped node", "session", s.ID, "node", n.Name, "err", err)
				return
			}
			m.log.Info("revived a stopped node", "session", s.ID, "node", n.Name)
		}
		m.Refresh(ctx, s)
		if err := m.store.UpdateNodes(ctx, s.ID, s.Nodes); err != nil {
			m.log.Warn("could not record revived nodes", "session", s.ID, "err", err)
		}
		m.loadLabImages(s)
	})
}

// pruneEvery is how often old progress events are looked for.
const pruneEvery = time.Hour

// tick is the periodic work of Run.
func (m *Manager) tick(ctx context.Context, now time.Time) {
	start := time.Now()
	n, err := m.Reap(ctx, now)
	m.cfg.Metrics.Maintenance("reap", time.Since(start), err)
	if err != nil {
		m.log.Warn("reap failed", "err", err)
	} else if n > 0 {
		m.log.Info("reaped expired sessions", "count", n)
	}
	start = time.Now()
	n, err = m.endPausedTooLong(ctx, now)
	m.cfg.Metrics.Maintenance("reap_paused", time.Since(start), err)
	if err != nil {
		m.log.Warn("ending sessions paused too long failed", "err", err)
	} else if n > 0 {
		m.log.Info("ended sessions paused too long", "count", n)
	}
	start = time.Now()
	n, err = m.pauseIdle(ctx, now)
	m.cfg.Metrics.Maintenance("pause_idle", time.Since(start), err)
	if err != nil {
		m.log.Warn("pausing idle sessions failed", "err", err)
	} else if n > 0 {
		m.log.Info("pausing idle sessions", "count", n)
	}
	start = time.Now()
	err = m.Reconcile(ctx, false)
	m.cfg.Metrics.Maintenance("reconcile", time.Since(start), err)
	if err != nil {
		m.log.Warn("reconcile failed", "err", err)
	}
	start = time.Now()
	err = m.sweepRemains(ctx)
	m.cfg.Metrics.Maintenance("sweep_remains", time.Since(start), err)
	if err != nil {
		m.log.Warn("sweep the remains of ended sessions failed", "err", err)
	}
	if now.Sub(m.lastPrune) < pruneEvery {
		return
	}
	m.lastPrune = now
	start = time.Now()
	_, err = m.engine.SweepDisks(ctx)
	m.cfg.Metrics.Maintenance("sweep_disks", time.Since(start), err)
	if err != nil {
		m.log.Warn("sweep orphan disks failed", "err", err)
	}
	if m.cfg.EventRetention > 0 {
		start = time.Now()
		n, err := m.store.PruneEvents(ctx, now.Add(-m.cfg.EventRetention))
		m.cfg.Metrics.Maintenance("prune", time.Since(start), err)
		if err != nil {
			m.log.Warn("prune progress events failed", "err", err)
		} else if n > 0 {
			m.log.Info("pruned old progress events", "count", n)
		}
	}
}
