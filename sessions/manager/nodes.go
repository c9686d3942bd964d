package manager

import (
	"context"
	"time"

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
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.startTimeout())
	defer cancel()
	if err := m.engine.StartNode(ctx, node.ContainerID); err != nil {
		return nil, err
	}
	if err := m.settle(ctx, node); err != nil {
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

// settleChecks is how many times a restarted node's engine must answer the
// docker CLI, a moment apart, before the node counts as back.
const settleChecks = 3

// settle waits until a restarted node's engine answers, and keeps answering:
// a learner's first command must not meet an engine still finding its feet.
func (m *Manager) settle(ctx context.Context, node *sessions.Node) error {
	ok := 0
	for ok < settleChecks {
		if err := m.engine.WaitReady(ctx, node.ContainerID); err != nil {
			return err
		}
		out, code, err := m.engine.Exec(ctx, node.ContainerID, "docker version --format '{{.Server.Version}}'", 10*time.Second)
		switch {
		case err != nil:
			return err
		case code != 0:
			ok = 0
			tail, _, _ := m.engine.Exec(ctx, node.ContainerID, "tail -n 15 /var/log/dockerd.log", 5*time.Second)
			m.log.Warn("restarted node's engine stopped answering; waiting again", "node", node.Name, "out", out, "dockerd_log", tail)
		default:
			ok++
		}
		select {
		case <-ctx.Done():
			return sessions.Errorf(sessions.EUNAVAILABLE, "%s did not come back in time.", node.Name)
		case <-time.After(150 * time.Millisecond):
		}
	}
	return nil
}
