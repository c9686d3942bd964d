package cluster

import (
	"context"
	"fmt"
	"time"

	"github.com/docker/docker/api/types/versions"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions/engine"
)

// MinAPIVersion is the Engine API every host needs: swarm services gained
// the seccomp and AppArmor settings nodes need in 1.44 (Docker 25).
const MinAPIVersion = "1.44"

// checkTimeout bounds the checks of one host.
const checkTimeout = time.Minute

// Check looks, at start, at what the nodes need of the swarm and of every
// host that is ready: a manager, a current engine reachable over TLS, the
// node image, user namespaces, the nodes' disks, the kernel limits the
// nodes share, and LXCFS (a host without it runs nodes without its files,
// with a warning); it writes each host's caps on its nodes' memory and
// process ids together. It returns the first problem, saying what to do; a
// host that is down is only logged, and checked when it is back
// (CheckNewHosts).
func (c *Cluster) Check(ctx context.Context) error {
	if err := c.Ping(ctx); err != nil {
		return err
	}
	hosts, err := c.listHosts(ctx, true)
	if err != nil {
		return err
	}
	ready := 0
	for _, h := range hosts {
		if lostWhy(h) == engine.LostHostGone {
			c.log.Warn("a host of the swarm is down; it is checked when it is back", "host", h.describe())
			continue
		}
		hctx, cancel := context.WithTimeout(ctx, checkTimeout)
		cn, err := c.checkHost(hctx, h)
		cancel()
		if err != nil {
			return fmt.Errorf("host %s: %w", h.describe(), err)
		}
		c.mu.Lock()
		cn.checked = true
		c.mu.Unlock()
		ready++
	}
	if ready == 0 {
		return fault.Errorf(fault.EUNAVAILABLE, "No host of the swarm is ready.")
	}
	c.log.Info("cluster ready", "hosts", len(hosts), "ready", ready)
	return nil
}

// CheckNewHosts checks the hosts that are ready and were not checked yet
// (they joined, or came back, after Check): one that fails takes no
// session (its id joins the placement constraints), and the log says why.
func (c *Cluster) CheckNewHosts(ctx context.Context) {
	hosts, err := c.listHosts(ctx, false)
	if err != nil {
		return
	}
	for _, h := range hosts {
		if lostWhy(h) != "" || h.State != "ready" {
			// Down, drained or not ready: checked again once it is back
			// (it may have restarted, its caps gone, or been fixed).
			c.mu.Lock()
			if cn := c.conns[connKey(h)]; cn != nil {
				cn.checked, cn.unfit = false, ""
			}
			c.mu.Unlock()
			continue
		}
		cn, err := c.connect(h)
		if err != nil {
			continue
		}
		c.mu.Lock()
		checked := cn.checked
		c.mu.Unlock()
		if checked {
			continue
		}
		unfit := ""
		hctx, cancel := context.WithTimeout(ctx, checkTimeout)
		if _, err := c.checkHost(hctx, h); err != nil {
			unfit = fault.ErrorMessage(err)
		}
		cancel()
		if ctx.Err() != nil {
			return
		}
		c.mu.Lock()
		cn.checked, cn.unfit = true, unfit
		c.mu.Unlock()
		if unfit != "" {
			c.log.Error("a host of the swarm takes no session until it is fixed and comes back", "host", h.describe(), "why", unfit)
		} else {
			c.log.Info("a host joined the cluster's hosts that take sessions", "host", h.describe())
		}
	}
}

// checkHost checks one host and returns its connection.
func (c *Cluster) checkHost(ctx context.Context, h *Host) (*conn, error) {
	cn, err := c.connect(h)
	if err != nil {
		return nil, err
	}
	v, err := cn.cli.ServerVersion(ctx)
	if err != nil {
		return nil, fault.Wrap(fault.EUNAVAILABLE, err, "Its Engine API at "+h.Addr+" does not answer (TLS certificates, address label "+LabelEngine+").")
	}
	if versions.LessThan(v.APIVersion, MinAPIVersion) {
		return nil, fault.Errorf(fault.EUNAVAILABLE, "Its Docker %s (API %s) is too old: a cluster needs Docker 25 or later (API %s).", v.Version, v.APIVersion, MinAPIVersion)
	}
	if _, err := cn.cli.ImageInspect(ctx, c.cfg.Engine.NodeImage); err != nil {
		return nil, fault.Wrap(fault.EUNAVAILABLE, err, "The node image "+c.cfg.Engine.NodeImage+" is not on it (deploy/cluster.sh up loads it).")
	}
	mode, err := cn.eng.Mode(ctx)
	if err != nil {
		return nil, err
	}
	if mode != engine.ModeUserns {
		return nil, fault.Errorf(fault.EUNAVAILABLE, "Its nodes would not run in a user namespace (mode %s).", mode)
	}
	if err := cn.eng.CheckDisks(ctx); err != nil {
		return nil, err
	}
	if err := cn.eng.CheckHostLimits(ctx); err != nil {
		return nil, err
	}
	// The memory and process ids of all its nodes together, capped below
	// the host's as on one host: a class of memory hogs or fork bombs on
	// one host meets the kernel's limit inside its nodes.
	if err := cn.eng.EnsureLimits(ctx); err != nil {
		return nil, err
	}
	cn.eng.CheckLXCFS(ctx) // its nodes get LXCFS's files when it has it
	return cn, nil
}
