package engine

import (
	"context"
	"net/netip"
	"strconv"
	"strings"

	"github.com/labplay/playground/fault"

	cerrdefs "github.com/containerd/errdefs"
)

// nodeNumber returns N of a node named nodeN.
func nodeNumber(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, "node")
	n, err := strconv.Atoi(rest)
	return n, ok && err == nil && n >= 1 && strconv.Itoa(n) == rest
}

// AddNode creates and starts one more node in a session's network, named
// nodeN, at the address that name gives (the N-th after the gateway), with
// its disk, limits and cgroups like the session's first nodes. It does not
// wait for the node's engine.
func (e *Engine) AddNode(ctx context.Context, sessionID string, subnet netip.Prefix, name string) (Node, error) {
	if err := checkSessionID(sessionID); err != nil {
		return Node{}, err
	}
	n, ok := nodeNumber(name)
	if !ok {
		return Node{}, fault.Errorf(fault.EINVALID, "A node added to a session is named nodeN, not %q.", name)
	}
	_, addrs, err := NodeAddrs(subnet, n)
	if err != nil {
		return Node{}, err
	}
	mode, err := e.Mode(ctx)
	if err != nil {
		return Node{}, err
	}
	if err := e.EnsureLimits(ctx); err != nil {
		return Node{}, err
	}
	cname := ContainerName(sessionID, name)
	if e.disksOn() {
		if err := e.attachDisks(ctx, cname); err != nil {
			return Node{}, err
		}
	}
	node, err := e.startNode(ctx, sessionID, NodeSpec{Name: name, Addr: addrs[n-1], Subnet: subnet}, mode)
	if err == nil && mode == ModeUserns {
		err = e.delegate(ctx, node.ContainerID)
	}
	if err != nil {
		if rerr := e.RemoveNode(context.WithoutCancel(ctx), sessionID, name); rerr != nil {
			e.log.Error("clean up a node that failed to start", "container", cname, "err", rerr)
		}
		return Node{}, err
	}
	return node, nil
}

// RemoveNode removes one node of a session: its container and its disk. A
// node already gone is fine.
func (e *Engine) RemoveNode(ctx context.Context, sessionID, name string) error {
	if err := checkSessionID(sessionID); err != nil {
		return err
	}
	cname := ContainerName(sessionID, name)
	if err := e.removeContainer(ctx, cname); err != nil {
		return err
	}
	if !e.disksOn() {
		return nil
	}
	if err := e.cli.VolumeRemove(ctx, cname+diskSuffix, true); err != nil && !cerrdefs.IsNotFound(err) {
		return engineError(err, "remove volume "+cname+diskSuffix)
	}
	return e.removeDisksNamed(ctx, cname)
}
