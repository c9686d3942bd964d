package manager

import (
	"context"
	"net/netip"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/sessions"
)

// Work a classroom's instructor does on a learner's session. The session is
// one the classroom rules returned from ScopeSession after checking the
// instructor's right to its classroom; nothing here checks it again.

// ExtendScoped adds by to a live session, up to Config.MaxLifetime counted
// from its start, like a learner's Extend but by the instructor's amount.
// It returns the session and whether the limit cut the extension short; a
// session at its limit already is ECONFLICT, saying when it ends.
func (m *Manager) ExtendScoped(ctx context.Context, s *sessions.Session, by time.Duration) (*sessions.Session, bool, error) {
	if !s.Live() {
		return nil, false, errEnded()
	}
	if by < time.Minute {
		return nil, false, fault.Errorf(fault.EINVALID, "Extend by one minute or more.")
	}
	_, limit := m.extendLimits()
	last := s.CreatedAt.Add(limit)
	until, capped := s.ExpiresAt.Add(by), false
	if until.After(last) {
		until, capped = last, true
	}
	if until.Sub(s.ExpiresAt) < time.Minute {
		return nil, true, fault.Errorf(fault.ECONFLICT, "This session has all the time it may have: it ends at %s (UTC).",
			s.ExpiresAt.UTC().Format("15:04"))
	}
	live, err := m.store.ExtendSession(ctx, s.ID, until)
	if err != nil {
		return nil, false, err
	}
	if !live {
		return nil, false, errEnded()
	}
	m.log.Info("session extended by its instructor", "session", s.ID, "until", until, "capped", capped)
	s, err = m.store.Session(ctx, s.ID)
	return s, capped, err
}

// ResetNode puts a fresh node in place of one of a live session's nodes:
// the same name and address, an empty disk, a new shell. It returns once
// the new node's engine answers, with the session as it is now. The
// learner's progress is not the node's and stays. The lab's images are
// copied into the new node in the background.
func (m *Manager) ResetNode(ctx context.Context, s *sessions.Session, name string) (*sessions.Session, error) {
	if s.Node(name) == nil {
		return nil, fault.Errorf(fault.ENOTFOUND, "This session has no node %q.", name)
	}
	return m.resetNodes(ctx, s, []string{name})
}

// ResetSession puts fresh nodes in place of all of a live session's nodes,
// one after the other, as ResetNode does for one.
func (m *Manager) ResetSession(ctx context.Context, s *sessions.Session) (*sessions.Session, error) {
	names := make([]string, len(s.Nodes))
	for i, n := range s.Nodes {
		names[i] = n.Name
	}
	return m.resetNodes(ctx, s, names)
}

// resetNodes replaces the named nodes of s, in the session's gate so that
// no check or restart runs meanwhile.
func (m *Manager) resetNodes(ctx context.Context, s *sessions.Session, names []string) (*sessions.Session, error) {
	if !s.Live() || s.Status != sessions.StatusRunning {
		if !s.Live() {
			return nil, errEnded()
		}
		return nil, fault.Errorf(fault.ECONFLICT, "This session is still starting; reset it once it runs.")
	}
	if s.Instance != "" && s.Instance != m.instance() {
		return nil, fault.Errorf(fault.EUNAVAILABLE, "This session runs on another server of this playground; reset it from there.")
	}
	subnet, err := netip.ParsePrefix(s.Subnet)
	if err != nil {
		return nil, err
	}
	leave, err := m.gates.enter(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	defer leave()
	// Reconcile must not take the missing node for a vanished session.
	m.replacing.Store(s.ID, time.Time{})
	defer m.replacing.Store(s.ID, time.Now())
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.startTimeout()+endTimeout)
	defer cancel()
	for _, name := range names {
		if err := m.replaceNode(ctx, s, subnet, name); err != nil {
			return nil, err
		}
	}
	s, err = m.store.Session(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	m.loadLabImages(s)
	m.setPhase(s)
	return s, nil
}

// replaceNode removes a node's container and disk and starts a new one in
// its place, recording each step.
func (m *Manager) replaceNode(ctx context.Context, s *sessions.Session, subnet netip.Prefix, name string) error {
	gone := sessions.Node{Name: name, Status: sessions.NodeStarting}
	if err := m.store.UpdateNodes(ctx, s.ID, []sessions.Node{gone}); err != nil {
		return err
	}
	if err := m.engine.RemoveNode(ctx, s.ID, name); err != nil {
		return err
	}
	created, err := m.engine.AddNode(ctx, s.ID, subnet, name)
	if err == nil {
		err = m.engine.WaitReady(ctx, created.ContainerID)
	}
	if err != nil {
		m.log.Error("a node being reset did not start", "session", s.ID, "node", name, "err", err)
		return err
	}
	node := sessions.Node{Name: name, ContainerID: created.ContainerID, Address: created.Addr.String(), Status: sessions.NodeRunning}
	if err := m.store.UpdateNodes(ctx, s.ID, []sessions.Node{node}); err != nil {
		return err
	}
	m.log.Info("node reset", "session", s.ID, "node", name)
	return nil
}

// replacedLately reports whether a session's nodes are being replaced, or
// were within a reaping interval, when a listing of the engine may not
// show them as the store does.
func (m *Manager) replacedLately(id string) bool {
	v, ok := m.replacing.Load(id)
	if !ok {
		return false
	}
	at := v.(time.Time)
	if at.IsZero() || time.Since(at) < time.Minute {
		return true
	}
	m.replacing.CompareAndDelete(id, v)
	return false
}
