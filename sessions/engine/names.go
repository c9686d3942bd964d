package engine

import (
	"net/netip"

	"github.com/labplay/playground/fault"

	"github.com/docker/docker/api/types/filters"
)

// shortID returns the part of a session id used in resource names.
func shortID(sessionID string) string {
	if len(sessionID) > shortIDLen {
		return sessionID[:shortIDLen]
	}
	return sessionID
}

// NetworkName returns the name of a session's network: "pg-<short id>".
func NetworkName(sessionID string) string {
	return NamePrefix + shortID(sessionID)
}

// ContainerName returns the name of a node's container:
// "pg-<short id>-<node>".
func ContainerName(sessionID, node string) string {
	return NamePrefix + shortID(sessionID) + "-" + node
}

// validLabelValue reports whether s is a non-empty run of letters, digits,
// '.', '_' and '-' that can also appear in a Docker object name after the
// names' "pg-" prefix. It may start with any of them: session ids are base32
// now (sessions.NewID), but those of sessions started before were URL-safe
// base64, and one in 32 of them starts with '-' or '_'.
func validLabelValue(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.' || c == '_' || c == '-':
		default:
			return false
		}
	}
	return true
}

// validNodeName reports whether s can name a node: it becomes a hostname, a
// network alias and part of a container name.
func validNodeName(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && i > 0 && i < len(s)-1:
		default:
			return false
		}
	}
	return true
}

// labels returns the labels of a session's resources; node is empty for the
// network.
func (e *Engine) labels(sessionID, node string) map[string]string {
	l := map[string]string{LabelInstance: e.cfg.Instance, LabelSession: sessionID}
	if node != "" {
		l[LabelNode] = node
	}
	return l
}

// filter returns a filter on this instance's resources, narrowed to one
// session when sessionID is not empty.
func (e *Engine) filter(sessionID string) filters.Args {
	f := filters.NewArgs(filters.Arg("label", LabelInstance+"="+e.cfg.Instance))
	if sessionID != "" {
		f.Add("label", LabelSession+"="+sessionID)
	} else {
		f.Add("label", LabelSession)
	}
	return f
}

// NodeAddrs returns the gateway of subnet (its first host address) and the
// addresses of n nodes after it. It fails with EINVALID for anything but an
// IPv4 subnet with room for n nodes besides the network, gateway and
// broadcast addresses.
func NodeAddrs(subnet netip.Prefix, n int) (gateway netip.Addr, nodes []netip.Addr, err error) {
	if !subnet.IsValid() || !subnet.Addr().Is4() {
		return netip.Addr{}, nil, fault.Errorf(fault.EINVALID, "The subnet %s is not an IPv4 prefix.", subnet)
	}
	subnet = subnet.Masked()
	size := 1 << (32 - subnet.Bits())
	if n < 1 || n+reservedAddrs > size {
		return netip.Addr{}, nil, fault.Errorf(fault.EINVALID, "The subnet %s has no room for %d nodes.", subnet, n)
	}
	gateway = subnet.Addr().Next()
	a := gateway
	for range n {
		a = a.Next()
		nodes = append(nodes, a)
	}
	return gateway, nodes, nil
}

// checkSessionID fails with EINVALID when id cannot label a session.
func checkSessionID(id string) error {
	if !validLabelValue(id) {
		return fault.Errorf(fault.EINVALID, "The session id %q is not valid.", id)
	}
	return nil
}

// checkNodeNames fails with EINVALID unless names are distinct, valid node
// names.
func checkNodeNames(names []string) error {
	if len(names) == 0 {
		return fault.Errorf(fault.EINVALID, "A session needs at least one node.")
	}
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if !validNodeName(n) || seen[n] {
			return fault.Errorf(fault.EINVALID, "The node name %q is not valid or repeated.", n)
		}
		seen[n] = true
	}
	return nil
}
