package manager

import (
	"context"

	"github.com/labplay/playground/sessions"
)

// RestartNode starts again a node of the caller's session that has stopped,
// and returns once its engine answers. The node keeps its volume, so the
// learner's images, containers and swarm state come back; its shell is new.
func (m *Manager) RestartNode(ctx context.Context, userID, id, name string) (*sessions.Session, error) {
	s, err := m.Get(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	if !s.Live() {
		return nil, sessions.Errorf(sessions.ECONFLICT, "This session has ended; start a new one to go on.")
	}
	node := s.Node(name)
	if node == nil || node.ContainerID == "" {
		return nil, sessions.Errorf(sessions.ENOTFOUND, "This session has no node %q.", name)
	}
	leave, err := m.gates.enter(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	defer leave()
	running, err := m.engine.NodeRunning(ctx, node.ContainerID)
	if err != nil {
		return nil, err
	}
	if running {
		return nil, sessions.Errorf(sessions.ECONFLICT, "%s is running; only a node that stopped can be restarted.", name)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.startTimeout())
	defer cancel()
	if err := m.engine.StartNode(ctx, node.ContainerID); err != nil {
		return nil, err
	}
	if err := m.engine.WaitReady(ctx, node.ContainerID); err != nil {
		return nil, err
	}
	node.Status = sessions.NodeRunning
	if err := m.store.UpdateNodes(ctx, s.ID, s.Nodes); err != nil {
		return nil, err
	}
	// A copy of the lab's images that the stop cut short is finished now.
	m.loadLabImages(s)
	m.Refresh(ctx, s)
	return s, nil
}
