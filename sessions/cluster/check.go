package cluster

import (
	"context"
	"fmt"

	"github.com/docker/docker/api/types/versions"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions/engine"
)

// MinAPIVersion is the Engine API every host needs: swarm services gained
// the seccomp and AppArmor settings nodes need in 1.44 (Docker 25).
const MinAPIVersion = "1.44"

// Check looks, at start, at what the nodes need of the swarm and of every
// host that is ready: a manager, a current engine reachable over TLS, the
// node image, user namespaces, the kernel limits the nodes share, and
// LXCFS (nodes get its files only when every host has it). It returns the
// first problem, saying what to do; a host that is down is only logged.
func (c *Cluster) Check(ctx context.Context) error {
	if err := c.Ping(ctx); err != nil {
		return err
	}
	hosts, err := c.listHosts(ctx, true)
	if err != nil {
		return err
	}
	lxcfs, ready := true, 0
	for _, h := range hosts {
		if lostWhy(h) == engine.LostHostGone {
			c.log.Warn("a host of the swarm is down; it takes no session until it is back", "host", h.describe())
			continue
		}
		if err := c.checkHost(ctx, h); err != nil {
			return fmt.Errorf("host %s: %w", h.describe(), err)
		}
		h.eng.CheckLXCFS(ctx)
		lxcfs = lxcfs && h.eng.LXCFSOn()
		ready++
	}
	if ready == 0 {
		return fault.Errorf(fault.EUNAVAILABLE, "No host of the swarm is ready.")
	}
	c.spec.UseLXCFS(lxcfs)
	c.log.Info("cluster ready", "hosts", len(hosts), "ready", ready, "lxcfs", lxcfs)
	return nil
}

// checkHost checks one host.
func (c *Cluster) checkHost(ctx context.Context, h *Host) error {
	if err := c.connect(h); err != nil {
		return err
	}
	v, err := h.cli.ServerVersion(ctx)
	if err != nil {
		return fault.Wrap(fault.EUNAVAILABLE, err, "Its Engine API at "+h.Addr+" does not answer (TLS certificates, address label "+LabelEngine+").")
	}
	if versions.LessThan(v.APIVersion, MinAPIVersion) {
		return fault.Errorf(fault.EUNAVAILABLE, "Its Docker %s (API %s) is too old: a cluster needs Docker 25 or later (API %s).", v.Version, v.APIVersion, MinAPIVersion)
	}
	if _, err := h.cli.ImageInspect(ctx, c.cfg.Engine.NodeImage); err != nil {
		return fault.Wrap(fault.EUNAVAILABLE, err, "The node image "+c.cfg.Engine.NodeImage+" is not on it (deploy/cluster.sh up loads it).")
	}
	mode, err := h.eng.Mode(ctx)
	if err != nil {
		return err
	}
	if mode != engine.ModeUserns {
		return fault.Errorf(fault.EUNAVAILABLE, "Its nodes would not run in a user namespace (mode %s).", mode)
	}
	return h.eng.CheckHostLimits(ctx)
}
