package engine

import (
	"context"
	"net/netip"
	"strings"

	"github.com/labplay/playground/fault"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/network"
)

// createNetwork creates a session's bridge network on subnet with its
// gateway, labelled for the session, and returns its id. A taken name or an
// overlapping subnet is ECONFLICT.
func (e *Engine) createNetwork(ctx context.Context, sessionID string, subnet netip.Prefix, gateway netip.Addr) (string, error) {
	prefix := subnet.Masked()
	resp, err := e.cli.NetworkCreate(ctx, NetworkName(sessionID), network.CreateOptions{
		Driver:   "bridge",
		Internal: e.cfg.Egress == EgressNone,
		IPAM: &network.IPAM{
			Driver: "default",
			Config: []network.IPAMConfig{{Subnet: prefix.String(), Gateway: gateway.String()}},
		},
		Labels: e.labels(sessionID, ""),
	})
	if err != nil {
		msg := strings.ToLower(err.Error())
		switch {
		case cerrdefs.IsConflict(err), strings.Contains(msg, "already exists"):
			return "", fault.Wrap(fault.ECONFLICT, err, "The session's network already exists.")
		case strings.Contains(msg, "overlap"):
			return "", fault.Wrap(fault.ECONFLICT, err, "The subnet "+prefix.String()+" is already in use.")
		}
		return "", engineError(err, "create network "+NetworkName(sessionID))
	}
	if resp.Warning != "" {
		e.log.Warn("network created with a warning", "network", NetworkName(sessionID), "warning", resp.Warning)
	}
	return resp.ID, nil
}

// removeNetworks removes every network of this instance labelled with the
// session. Networks that are already gone are fine.
func (e *Engine) removeNetworks(ctx context.Context, sessionID string) error {
	nets, err := e.cli.NetworkList(ctx, network.ListOptions{Filters: e.filter(sessionID)})
	if err != nil {
		return engineError(err, "list networks")
	}
	var first error
	for _, n := range nets {
		e.disconnectRegistry(ctx, n.ID)
		err := e.cli.NetworkRemove(ctx, n.ID)
		if err != nil && strings.Contains(err.Error(), "active endpoints") {
			// Endpoints of containers already removed (a start cut short
			// can leave them), or of containers that are not the session's:
			// disconnect them all by force, then try again.
			e.disconnectAll(ctx, n.ID)
			err = e.cli.NetworkRemove(ctx, n.ID)
		}
		if err != nil && !cerrdefs.IsNotFound(err) {
			e.log.Warn("remove network", "network", n.Name, "err", err)
			if first == nil {
				first = engineError(err, "remove network "+n.Name)
			}
		}
	}
	return first
}

// disconnectAll disconnects, by force, every endpoint the engine holds on
// a network, stale ones included.
func (e *Engine) disconnectAll(ctx context.Context, networkID string) {
	info, err := e.cli.NetworkInspect(ctx, networkID, network.InspectOptions{})
	if err != nil {
		return // the removal that follows says what is wrong
	}
	for id, ep := range info.Containers {
		// A stale endpoint is listed as "ep-<endpoint id>"; the engine
		// finds it by its container's name.
		target := id
		if strings.HasPrefix(id, "ep-") && ep.Name != "" {
			target = ep.Name
		}
		if err := e.cli.NetworkDisconnect(ctx, networkID, target, true); err != nil && !cerrdefs.IsNotFound(err) {
			e.log.Warn("disconnect an endpoint by force", "network", info.Name, "endpoint", ep.Name, "err", err)
		} else {
			e.log.Info("disconnected an endpoint by force", "network", info.Name, "endpoint", ep.Name)
		}
	}
}
