package sessions

import (
	"strconv"

	"github.com/labplay/playground/fault"
)

// PortShare is a link that opens one node's port to anyone who has it: its
// token is the capability.
type PortShare struct {
	Token, SessionID, Node string
	Port                   int
}

// Port is one TCP port of one node of a live session: what the ports'
// proxy forwards to.
type Port struct {
	Session *Session
	Node    *Node
	Number  int
}

// Port returns the port named by node and port (its decimal text) of a
// live session. An ended session, or a node it does not have, answers
// ENOTFOUND; text that is not a TCP port EINVALID.
func (s *Session) Port(node, port string) (Port, error) {
	if !s.Live() {
		return Port{}, fault.Errorf(fault.ENOTFOUND, "This session has ended.")
	}
	n := s.Node(node)
	if n == nil || n.ContainerID == "" {
		return Port{}, fault.Errorf(fault.ENOTFOUND, "This session has no node %q.", node)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 || strconv.Itoa(p) != port {
		return Port{}, fault.Errorf(fault.EINVALID, "%q is not a TCP port.", port)
	}
	return Port{Session: s, Node: n, Number: p}, nil
}
