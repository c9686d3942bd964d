package manager

import (
	"context"
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/sessions"
)

// The nodes' ports in the browser. Who may reach a port is decided here:
// the session's owner (Get), the instructor of its classroom (ScopeSession,
// through the classroom rules), anyone holding a shared link's token
// (SharedPort), or a holder of a capability the server signed (PortOf).
// The bytes themselves go through the engine, never a route to the
// session's network.

// NodePorts is the listening ports of one node, or why they could not be
// read.
type NodePorts struct {
	Node  string
	Ports []int
	Err   error
}

// Ports returns the listening TCP ports of each node of s, a session the
// caller was given by Get or ScopeSession, in the order of its nodes. The
// nodes are asked in parallel; one that cannot answer carries its error,
// and one without a container has no ports.
func (m *Manager) Ports(ctx context.Context, s *sessions.Session) []NodePorts {
	out := make([]NodePorts, len(s.Nodes))
	var wg sync.WaitGroup
	for i, n := range s.Nodes {
		out[i] = NodePorts{Node: n.Name, Ports: []int{}}
		if n.ContainerID == "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ports, err := m.engine.Ports(ctx, n.ContainerID)
			if err != nil {
				out[i].Err = err
				return
			}
			out[i].Ports = append(out[i].Ports, ports...)
		}()
	}
	wg.Wait()
	return out
}

// PortShares returns the active shared links of s, a session the caller
// was given by Get or ScopeSession.
func (m *Manager) PortShares(ctx context.Context, s *sessions.Session) ([]sessions.PortShare, error) {
	return m.store.PortShares(ctx, s.ID)
}

// DialPort connects to a TCP port on the loopback of a node's container,
// through an exec relay in the node. The container is one of a Port the
// caller was given by this manager; ctx bounds only the setup.
func (m *Manager) DialPort(ctx context.Context, containerID string, port int) (net.Conn, error) {
	return m.engine.DialPort(ctx, containerID, port)
}

// SharePort returns the shared link of a port of the caller's session,
// making one when there is none. Another user's session answers
// ENOTFOUND, like an unknown one; an ended session or a node it lacks
// ENOTFOUND; text that is not a port EINVALID.
func (m *Manager) SharePort(ctx context.Context, userID, id, node, port string) (*sessions.PortShare, error) {
	s, err := m.Get(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	p, err := s.Port(node, port)
	if err != nil {
		return nil, err
	}
	return m.store.SharePort(ctx, s.ID, p.Node.Name, p.Number)
}

// UnsharePort takes back the shared link of a port of the caller's
// session, if it has one; it answers as SharePort does.
func (m *Manager) UnsharePort(ctx context.Context, userID, id, node, port string) error {
	s, err := m.Get(ctx, userID, id)
	if err != nil {
		return err
	}
	p, err := s.Port(node, port)
	if err != nil {
		return err
	}
	return m.store.UnsharePort(ctx, s.ID, p.Node.Name, p.Number)
}

// errNoLink answers a shared link that opens nothing.
func errNoLink() error {
	return fault.Errorf(fault.ENOTFOUND, "This link does not open anything (any more).")
}

// SharedPort returns the port a shared link's token opens, to anyone who
// has it. A malformed, unknown or revoked token, or one whose session has
// ended or lost the node, answers ENOTFOUND.
func (m *Manager) SharedPort(ctx context.Context, token string) (sessions.Port, error) {
	if len(token) != 32 || strings.Trim(token, "0123456789abcdef") != "" {
		return sessions.Port{}, errNoLink()
	}
	sh, err := m.store.PortShareByToken(ctx, token)
	if err != nil {
		return sessions.Port{}, err
	}
	s, err := m.store.Session(ctx, sh.SessionID)
	if err != nil {
		return sessions.Port{}, err
	}
	return s.Port(sh.Node, strconv.Itoa(sh.Port))
}

// PortOf returns a port of a live session, whoever owns it, for a caller
// that holds a capability for it which the manager cannot check itself:
// the server's signed cookie of a port's own host. An unknown session, a
// node it lacks or an ended session answers ENOTFOUND.
func (m *Manager) PortOf(ctx context.Context, id, node, port string) (sessions.Port, error) {
	if !sessions.ValidID(id) {
		return sessions.Port{}, fault.Errorf(fault.ENOTFOUND, "Session not found.")
	}
	s, err := m.store.Session(ctx, id)
	if err != nil {
		return sessions.Port{}, err
	}
	return s.Port(node, port)
}
