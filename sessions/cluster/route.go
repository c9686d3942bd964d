package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/agent"
	"github.com/labplay/playground/sessions/engine"
)

// A node's work goes to its host's engine, found from the node's id.

// on returns the engine of a node's host and the node's container id there.
func (c *Cluster) on(ctx context.Context, id string) (*engine.Engine, string, error) {
	hostID, cid, err := splitID(id)
	if err != nil {
		return nil, "", err
	}
	h, cn, err := c.host(ctx, hostID)
	if err != nil {
		return nil, "", err
	}
	if why := lostWhy(h); why != "" {
		// Not worth waiting on: its sessions are being ended.
		return nil, "", fault.Errorf(fault.EUNAVAILABLE, "This session's machine %s.", map[string]string{
			engine.LostHostServiced: "is being serviced", engine.LostHostGone: "has stopped answering"}[why])
	}
	return cn.eng, cid, nil
}

// NodeRunning reports whether the node's container runs.
func (c *Cluster) NodeRunning(ctx context.Context, id string) (bool, error) {
	e, cid, err := c.on(ctx, id)
	if err != nil {
		return false, err
	}
	return e.NodeRunning(ctx, cid)
}

// WaitReady waits until the node's inner engine answers.
func (c *Cluster) WaitReady(ctx context.Context, id string) error {
	e, cid, err := c.on(ctx, id)
	if err != nil {
		return err
	}
	return e.WaitReady(ctx, cid)
}

// StartNode lets a paused node run again (see StopNode). A node whose
// container stopped (it died, or its host restarted) cannot start again
// outside the swarm: its session's network left that host with it, and
// the node is gone (ENOTFOUND, sessions.ErrNodeLost).
func (c *Cluster) StartNode(ctx context.Context, id string) error {
	e, cid, err := c.on(ctx, id)
	if err != nil {
		return err
	}
	thawed, err := e.ThawNode(ctx, cid)
	if err != nil || thawed {
		return err
	}
	running, err := e.NodeRunning(ctx, cid)
	if err != nil || running {
		return err
	}
	return fault.Wrap(fault.ENOTFOUND, sessions.ErrNodeLost, "This node stopped, and on this cluster a stopped node cannot start again: start the lab again (your progress is kept).")
}

// StopNode pauses a node by freezing it: a swarm's task that stops is done
// for good (its host lets the session's network go, and the container
// cannot start again), so a node on a cluster keeps its memory while
// paused, and everything in it, running processes included.
func (c *Cluster) StopNode(ctx context.Context, id string) error {
	e, cid, err := c.on(ctx, id)
	if err != nil {
		return err
	}
	return e.FreezeNode(ctx, cid)
}

// Exec runs a script in the node.
func (c *Cluster) Exec(ctx context.Context, id, script string, timeout time.Duration) (string, int, error) {
	e, cid, err := c.on(ctx, id)
	if err != nil {
		return "", 0, err
	}
	return e.Exec(ctx, cid, script, timeout)
}

// Attach opens a stream to the node's agent.
func (c *Cluster) Attach(ctx context.Context, id string, req agent.AttachRequest) (*engine.Stream, error) {
	e, cid, err := c.on(ctx, id)
	if err != nil {
		return nil, err
	}
	return e.Attach(ctx, cid, req)
}

// WriteFile writes a file into the node.
func (c *Cluster) WriteFile(ctx context.Context, id, path string, size int64, content io.Reader) (sessions.FileInfo, error) {
	e, cid, err := c.on(ctx, id)
	if err != nil {
		return sessions.FileInfo{}, err
	}
	return e.WriteFile(ctx, cid, path, size, content)
}

// StatFile describes a file of the node.
func (c *Cluster) StatFile(ctx context.Context, id, path string) (sessions.FileInfo, error) {
	e, cid, err := c.on(ctx, id)
	if err != nil {
		return sessions.FileInfo{}, err
	}
	return e.StatFile(ctx, cid, path)
}

// ReadFile copies a file of the node to w.
func (c *Cluster) ReadFile(ctx context.Context, id, abs string, w io.Writer) error {
	e, cid, err := c.on(ctx, id)
	if err != nil {
		return err
	}
	return e.ReadFile(ctx, cid, abs, w)
}

// Ports lists the ports the node listens on.
func (c *Cluster) Ports(ctx context.Context, id string) ([]int, error) {
	e, cid, err := c.on(ctx, id)
	if err != nil {
		return nil, err
	}
	return e.Ports(ctx, cid)
}

// DialPort connects to a port of the node through its host.
func (c *Cluster) DialPort(ctx context.Context, id string, port int) (net.Conn, error) {
	e, cid, err := c.on(ctx, id)
	if err != nil {
		return nil, err
	}
	return e.DialPort(ctx, cid, port)
}

// LoadImage copies an image from each node's host into the nodes.
func (c *Cluster) LoadImage(ctx context.Context, ids []string, image string) error {
	byHost := map[string][]string{}
	for _, id := range ids {
		hostID, cid, err := splitID(id)
		if err != nil {
			return err
		}
		byHost[hostID] = append(byHost[hostID], cid)
	}
	for hostID, cids := range byHost {
		_, cn, err := c.host(ctx, hostID)
		if err != nil {
			return err
		}
		if err := cn.eng.LoadImage(ctx, cids, image); err != nil {
			return err
		}
	}
	return nil
}

// EnsureLimits does nothing: each host's shared limits are written when it
// is checked (checkHost), at start or when it joins or comes back; they
// stay while the host's containers do.
func (c *Cluster) EnsureLimits(context.Context) error { return nil }

// SweepDisks removes, on every host that answers, the disks no node uses.
func (c *Cluster) SweepDisks(ctx context.Context) (int, error) {
	hosts, err := c.listHosts(ctx, false)
	if err != nil {
		return 0, err
	}
	total := 0
	var errs []error
	for _, h := range hosts {
		if lostWhy(h) != "" {
			continue
		}
		cn, err := c.connect(h)
		if err != nil {
			continue
		}
		hctx, cancel := context.WithTimeout(ctx, time.Minute)
		n, err := cn.eng.SweepDisks(hctx)
		cancel()
		total += n
		if err != nil {
			errs = append(errs, fmt.Errorf("host %s: %w", h.describe(), err))
		}
	}
	return total, errors.Join(errs...)
}
