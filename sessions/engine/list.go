package engine

import (
	"context"
	"net/netip"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
)

// List returns every session of this instance on the engine, by session id,
// with its nodes sorted by name, from the containers in any state. A session
// with only a leftover network appears with no nodes, so that a reconciler
// can remove it too.
func (e *Engine) List(ctx context.Context) (map[string][]Node, error) {
	list, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: e.filter("")})
	if err != nil {
		return nil, engineError(err, "list containers")
	}
	out := make(map[string][]Node)
	for _, c := range list {
		id := c.Labels[LabelSession]
		if id == "" {
			continue
		}
		out[id] = append(out[id], nodeFromSummary(c))
	}
	nets, err := e.cli.NetworkList(ctx, network.ListOptions{Filters: e.filter("")})
	if err != nil {
		return nil, engineError(err, "list networks")
	}
	for _, n := range nets {
		id := n.Labels[LabelSession]
		if _, ok := out[id]; id != "" && !ok {
			out[id] = nil
		}
	}
	for _, nodes := range out {
		SortNodes(nodes)
	}
	return out, nil
}

// Nodes returns the nodes of one session, sorted by name; none when the
// session has no containers.
func (e *Engine) Nodes(ctx context.Context, sessionID string) ([]Node, error) {
	if err := checkSessionID(sessionID); err != nil {
		return nil, err
	}
	list, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: e.filter(sessionID)})
	if err != nil {
		return nil, engineError(err, "list containers")
	}
	nodes := make([]Node, 0, len(list))
	for _, c := range list {
		nodes = append(nodes, nodeFromSummary(c))
	}
	SortNodes(nodes)
	return nodes, nil
}

// nodeFromSummary reads a node out of a container listing.
func nodeFromSummary(c container.Summary) Node {
	n := Node{
		Name:        c.Labels[LabelNode],
		ContainerID: c.ID,
		Running:     c.State == container.StateRunning,
	}
	if c.NetworkSettings != nil {
		if ep := c.NetworkSettings.Networks[NetworkName(c.Labels[LabelSession])]; ep != nil {
			if ep.IPAMConfig != nil {
				n.Addr, _ = netip.ParseAddr(ep.IPAMConfig.IPv4Address)
			}
			if a, err := netip.ParseAddr(ep.IPAddress); err == nil {
				n.Addr = a
			}
		}
	}
	return n
}
