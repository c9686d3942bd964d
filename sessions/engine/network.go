package engine

import (
	"context"
	"net/netip"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/network"

	"github.com/labplay/playground/sessions"
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
			return "", sessions.Wrap(sessions.ECONFLICT, err, "The session's network already exists.")
		case strings.Contains(msg, "overlap"):
			return "", sessions.Wrap(sessions.ECONFLICT, err, "The subnet "+prefix.String()+" is already in use.")
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
		if err := e.cli.NetworkRemove(ctx, n.ID); err != nil && !cerrdefs.IsNotFound(err) {
			e.log.Warn("remove network", "network", n.Name, "err", err)
			if first == nil {
				first = engineError(err, "remove network "+n.Name)
			}
		}
	}
	return first
}
