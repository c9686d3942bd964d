package manager

// Access to sessions: the owner's, a classroom's for its instructor, and the
// checks that a session (or one of its nodes) is live before work is done
// on it.

import (
	"context"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions"
)

// Get returns the caller's session, and counts as its use (for the idle
// pause). Another user's session, or an unknown one, answers ENOTFOUND so
// that IDs cannot be probed.
func (m *Manager) Get(ctx context.Context, userID, id string) (*sessions.Session, error) {
	if !sessions.ValidID(id) {
		return nil, fault.Errorf(fault.ENOTFOUND, "Session not found.")
	}
	s, err := m.store.Session(ctx, id)
	if err != nil {
		return nil, err
	}
	if s.UserID != userID {
		return nil, fault.Errorf(fault.ENOTFOUND, "Session not found.")
	}
	if s.Status == sessions.StatusRunning {
		m.touch(ctx, s.ID)
	}
	m.setPhase(s)
	return s, nil
}

// ScopeSession returns a session that belongs to a scope (a classroom),
// whoever owns it, for a caller that has checked its right to that scope:
// the classroom rules, for an instructor watching a learner. An unknown
// id, or a session of no scope, answers ENOTFOUND.
func (m *Manager) ScopeSession(ctx context.Context, id string) (*sessions.Session, error) {
	notFound := fault.Errorf(fault.ENOTFOUND, "Session not found.")
	if !sessions.ValidID(id) {
		return nil, notFound
	}
	s, err := m.store.Session(ctx, id)
	if err != nil {
		return nil, err
	}
	if s.Scope == "" {
		return nil, notFound
	}
	return s, nil
}

// setPhase fills in what a session is busy with.
func (m *Manager) setPhase(s *sessions.Session) {
	if p, ok := m.phases.Load(s.ID); ok {
		s.Phase = p.(string)
		return
	}
	m.loadingMu.Lock()
	_, loading := m.loading[s.ID]
	m.loadingMu.Unlock()
	if loading && s.Live() {
		s.Phase = sessions.PhaseImages
	}
}

// errEnded answers work asked of a session that has ended.
func errEnded() error {
	return fault.Errorf(fault.ECONFLICT, "This session has ended; start a new one to go on.")
}

// errPaused answers work asked of a paused session's nodes.
func errPaused() error {
	return fault.Errorf(fault.ECONFLICT, "This session is paused; resume it to go on.")
}

// liveSession returns the caller's session when it is live and not paused.
func (m *Manager) liveSession(ctx context.Context, userID, id string) (*sessions.Session, error) {
	s, err := m.Get(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	if !s.Live() {
		return nil, errEnded()
	}
	if s.Paused() {
		return nil, errPaused()
	}
	return s, nil
}

// liveNode returns the caller's live session and its node named name.
func (m *Manager) liveNode(ctx context.Context, userID, id, name string) (*sessions.Session, *sessions.Node, error) {
	s, err := m.liveSession(ctx, userID, id)
	if err != nil {
		return nil, nil, err
	}
	node := s.Node(name)
	if node == nil || node.ContainerID == "" {
		return nil, nil, fault.Errorf(fault.ENOTFOUND, "This session has no node %q.", name)
	}
	return s, node, nil
}

// Refresh updates the status of each node of a running session from the
// engine, so a node that died shows as stopped.
func (m *Manager) Refresh(ctx context.Context, s *sessions.Session) {
	if !s.Live() || s.Paused() {
		return
	}
	for i := range s.Nodes {
		n := &s.Nodes[i]
		if n.ContainerID == "" {
			continue
		}
		running, err := m.engine.NodeRunning(ctx, n.ContainerID)
		switch {
		case err != nil && fault.ErrorCode(err) != fault.ENOTFOUND:
			m.log.Warn("node state unknown", "session", s.ID, "node", n.Name, "err", err)
		case running:
			n.Status = sessions.NodeRunning
		default:
			n.Status = sessions.NodeStopped
		}
	}
}

// List returns the user's live sessions.
func (m *Manager) List(ctx context.Context, userID string) ([]*sessions.Session, error) {
	list, err := m.store.UserSessions(ctx, userID)
	for _, s := range list {
		m.setPhase(s)
	}
	return list, err
}
