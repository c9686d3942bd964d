package manager

import (
	"context"
	"net/netip"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/sessions"
)

// RestartNode starts again a node of the caller's session that has stopped,
// and returns once its engine answers. The node keeps its volume, so the
// learner's images, containers and swarm state come back; its shell is new.
func (m *Manager) RestartNode(ctx context.Context, userID, id, name string) (*sessions.Session, error) {
	s, node, err := m.liveNode(ctx, userID, id, name)
	if err != nil {
		return nil, err
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
		return nil, fault.Errorf(fault.ECONFLICT, "%s is running; only a node that stopped can be restarted.", name)
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

// AddNode adds one more node to the caller's session without a lab (a
// lab's sessions have the nodes the lab declares), up to
// sessions.MaxNodes, and returns once its engine answers. The new node is
// the lowest nodeN the session lacks.
func (m *Manager) AddNode(ctx context.Context, userID, id string) (*sessions.Session, error) {
	s, err := m.freeSession(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	leave, err := m.gates.enter(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	defer leave()
	if len(s.Nodes) >= sessions.MaxNodes {
		return nil, fault.Errorf(fault.ECONFLICT, "A session has at most %d nodes.", sessions.MaxNodes)
	}
	var name string
	for _, candidate := range sessions.NodeNamesN(sessions.MaxNodes) {
		if s.Node(candidate) == nil {
			name = candidate
			break
		}
	}
	subnet, err := netip.ParsePrefix(s.Subnet)
	if err != nil {
		return nil, err
	}
	node := sessions.Node{Name: name, Status: sessions.NodeStarting}
	if err := m.store.AddNode(ctx, s.ID, node); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.startTimeout())
	defer cancel()
	created, err := m.engine.AddNode(ctx, s.ID, subnet, name)
	if err == nil {
		err = m.engine.WaitReady(ctx, created.ContainerID)
	}
	if err != nil {
		if rerr := m.engine.RemoveNode(ctx, s.ID, name); rerr != nil {
			m.log.Error("remove a node that failed to start", "session", s.ID, "node", name, "err", rerr)
		}
		if rerr := m.store.RemoveNode(ctx, s.ID, name); rerr != nil {
			m.log.Error("forget a node that failed to start", "session", s.ID, "node", name, "err", rerr)
		}
		return nil, err
	}
	node = sessions.Node{Name: name, ContainerID: created.ContainerID, Address: created.Addr.String(), Status: sessions.NodeRunning}
	if err := m.store.UpdateNodes(ctx, s.ID, []sessions.Node{node}); err != nil {
		return nil, err
	}
	m.log.Info("node added", "session", s.ID, "node", name)
	return m.Get(ctx, userID, id)
}

// RemoveNode removes a node of the caller's session without a lab; the
// session keeps at least one.
func (m *Manager) RemoveNode(ctx context.Context, userID, id, name string) (*sessions.Session, error) {
	s, err := m.freeSession(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	if s.Node(name) == nil {
		return nil, fault.Errorf(fault.ENOTFOUND, "This session has no node %q.", name)
	}
	if len(s.Nodes) <= 1 {
		return nil, fault.Errorf(fault.ECONFLICT, "A session keeps at least one node.")
	}
	leave, err := m.gates.enter(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	defer leave()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), endTimeout)
	defer cancel()
	if err := m.engine.RemoveNode(ctx, s.ID, name); err != nil {
		return nil, err
	}
	if err := m.store.RemoveNode(ctx, s.ID, name); err != nil {
		return nil, err
	}
	m.log.Info("node removed", "session", s.ID, "node", name)
	return m.Get(ctx, userID, id)
}

// freeSession returns the caller's live session when it has no lab, whose
// nodes a learner may add and remove.
func (m *Manager) freeSession(ctx context.Context, userID, id string) (*sessions.Session, error) {
	s, err := m.liveSession(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	if s.Lab != "" {
		return nil, fault.Errorf(fault.ECONFLICT, "This lab's nodes are the ones it declares; a free playground (a session without a lab) can add and remove nodes.")
	}
	return s, nil
}
