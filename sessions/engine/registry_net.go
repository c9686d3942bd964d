package engine

// The registries on the sessions' networks: each session network gets the
// registry (and the cache) at fixed addresses of its subnet, which the
// nodes' engines know as their mirrors.

import (
	"context"
	"net/netip"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/network"
)

// connectRegistry attaches the registry to a session's network under its
// alias, at the subnet's last host address, which no node takes (nodes
// count up from the gateway). A registry that is not there is logged: the
// nodes' images then come by copy.
func (e *Engine) connectRegistry(ctx context.Context, sessionID string, subnet netip.Prefix) {
	if !e.RegistryOn() {
		return
	}
	addr := lastHost(subnet)
	err := e.cli.NetworkConnect(ctx, NetworkName(sessionID), registryName(e.cfg.Instance),
		&network.EndpointSettings{Aliases: []string{registryAlias},
			IPAMConfig: &network.EndpointIPAMConfig{IPv4Address: addr.String()}})
	if err != nil {
		e.log.Warn("the registry could not join a session's network", "session", sessionID, "err", err)
	}
	if e.cacheOn() {
		err := e.cli.NetworkConnect(ctx, NetworkName(sessionID), cacheName(e.cfg.Instance),
			&network.EndpointSettings{Aliases: []string{registryCacheAlias},
				IPAMConfig: &network.EndpointIPAMConfig{IPv4Address: cacheAddr(subnet).String()}})
		if err != nil {
			e.log.Warn("the registry cache could not join a session's network", "session", sessionID, "err", err)
		}
	}
}

// cacheAddr is the cache's address on a session's network: the last host
// address but one.
func cacheAddr(subnet netip.Prefix) netip.Addr { return lastHost(subnet).Prev() }

// lastHost returns the last host address of an IPv4 subnet (before the
// broadcast address).
func lastHost(subnet netip.Prefix) netip.Addr {
	a := subnet.Masked().Addr().As4()
	n := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	n |= (1 << (32 - subnet.Bits())) - 1 // broadcast
	n--
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

// disconnectRegistry takes the registry off a network about to go.
func (e *Engine) disconnectRegistry(ctx context.Context, networkID string) {
	if !e.RegistryOn() {
		return
	}
	for _, name := range []string{registryName(e.cfg.Instance), cacheName(e.cfg.Instance)} {
		if err := e.cli.NetworkDisconnect(ctx, networkID, name, true); err != nil &&
			!cerrdefs.IsNotFound(err) && !strings.Contains(err.Error(), "is not connected") {
			e.log.Debug("take a registry off a network", "network", networkID, "container", name, "err", err)
		}
	}
}

// rejoinSessions attaches a registry made anew (new labs' images, a new
// registry image) to the networks of the sessions already running, at the
// address their nodes' engines know it by: without this, their pulls of
// the labs' images would find no mirror until the session ends.
func (e *Engine) rejoinSessions(ctx context.Context, name string) {
	nets, err := e.cli.NetworkList(ctx, network.ListOptions{Filters: e.filter("")})
	if err != nil {
		e.log.Warn("list the sessions' networks for the registry", "err", err)
		return
	}
	for _, n := range nets {
		id := n.Labels[LabelSession]
		if id == "" || len(n.IPAM.Config) == 0 {
			continue
		}
		subnet, err := netip.ParsePrefix(n.IPAM.Config[0].Subnet)
		if err != nil || !subnet.Addr().Is4() {
			continue
		}
		err = e.cli.NetworkConnect(ctx, n.ID, name, &network.EndpointSettings{Aliases: []string{registryAlias},
			IPAMConfig: &network.EndpointIPAMConfig{IPv4Address: lastHost(subnet).String()}})
		if err != nil {
			e.log.Warn("the new registry could not join a session's network", "session", id, "err", err)
		}
	}
}
