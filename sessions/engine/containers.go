package engine

import (
	"context"
	"errors"
	"net/netip"
	"sort"
	"strings"
	"sync"

	"github.com/labplay/playground/fault"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"

	"github.com/labplay/playground/sessions"
)

// NodeSpec names a node and its address on the session network.
type NodeSpec struct {
	Name string
	Addr netip.Addr
	// Subnet is the session's network, for the registry's address on it;
	// unset, the node gets no registry mirror.
	Subnet netip.Prefix
}

// Node is a node container as the engine sees it.
type Node struct {
	Name        string
	ContainerID string
	Addr        netip.Addr
	Running     bool
	// Lost, when set, says why the node is gone with its host
	// (LostHostServiced, LostHostGone): its session cannot go on.
	Lost string
}

// Why a node is lost with its host, as a session's end reason.
const (
	LostHostServiced = sessions.ReasonHostServiced
	LostHostGone     = sessions.ReasonHostLost
)

// CreateSession creates a session: the bridge network "pg-<short id>" on
// subnet (gateway at its first address) and one container per name, created
// and started in parallel, each with hostname and network alias equal to its
// name and the addresses after the gateway in order. On any failure it
// removes everything it created, even when ctx has ended, and returns the
// error: EINVALID for a bad id, subnet or name, ECONFLICT when the network
// exists or the subnet overlaps another, EUNAVAILABLE when the engine or the
// node image is missing.
func (e *Engine) CreateSession(ctx context.Context, sessionID string, subnet netip.Prefix, names []string) ([]Node, error) {
	if err := checkSessionID(sessionID); err != nil {
		return nil, err
	}
	if err := checkNodeNames(names); err != nil {
		return nil, err
	}
	gateway, addrs, err := NodeAddrs(subnet, len(names))
	if err != nil {
		return nil, err
	}
	mode, err := e.Mode(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := e.createNetwork(ctx, sessionID, subnet, gateway); err != nil {
		return nil, err
	}
	e.connectRegistry(ctx, sessionID, subnet)
	if err := e.EnsureLimits(ctx); err != nil {
		e.cleanup(sessionID)
		return nil, err
	}
	if e.disksOn() {
		containers := make([]string, len(names))
		for i, name := range names {
			containers[i] = ContainerName(sessionID, name)
		}
		if err := e.attachDisks(ctx, containers...); err != nil {
			e.cleanup(sessionID)
			return nil, err
		}
	}
	nodes := make([]Node, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			spec := NodeSpec{Name: name, Addr: addrs[i], Subnet: subnet}
			nodes[i], errs[i] = e.startNode(ctx, sessionID, spec, mode)
		}()
	}
	wg.Wait()
	err = firstCoded(errs)
	if err == nil && mode == ModeUserns {
		ids := make([]string, len(nodes))
		for i, n := range nodes {
			ids[i] = n.ContainerID
		}
		err = e.delegate(ctx, ids...)
	}
	if err != nil {
		e.cleanup(sessionID)
		return nil, err
	}
	return nodes, nil
}

// cleanup removes a half-created session under a fresh context.
func (e *Engine) cleanup(sessionID string) {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	if err := e.RemoveSession(ctx, sessionID); err != nil {
		e.log.Error("clean up failed session", "session", sessionID, "err", err)
	}
}

// firstCoded returns the first error with a code other than EINTERNAL, or
// else the first error, so a cause like a missing image wins over the
// cancellations it set off.
func firstCoded(errs []error) error {
	var first error
	for _, err := range errs {
		if err == nil {
			continue
		}
		if c := fault.ErrorCode(err); c != fault.EINTERNAL {
			return err
		}
		if first == nil {
			first = err
		}
	}
	return first
}

// startNode creates and starts one node container.
func (e *Engine) startNode(ctx context.Context, sessionID string, spec NodeSpec, mode NodeMode) (Node, error) {
	cfg, hc, nc := e.nodeConfig(sessionID, spec, mode)
	name := ContainerName(sessionID, spec.Name)
	created, err := e.cli.ContainerCreate(ctx, cfg, hc, nc, nil, name)
	if err != nil {
		switch {
		case cerrdefs.IsNotFound(err):
			return Node{}, fault.Wrap(fault.EUNAVAILABLE, err, "The node image "+e.cfg.NodeImage+" is not on the Docker engine.")
		case cerrdefs.IsConflict(err):
			return Node{}, fault.Wrap(fault.ECONFLICT, err, "A container named "+name+" already exists.")
		}
		return Node{}, engineError(err, "create container "+name)
	}
	for _, w := range created.Warnings {
		e.log.Warn("container created with a warning", "container", name, "warning", w)
	}
	if err := e.cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		return Node{}, engineError(err, "start container "+name)
	}
	return Node{Name: spec.Name, ContainerID: created.ID, Addr: spec.Addr, Running: true}, nil
}

// nodeConfig returns the container, host and network settings of a node.
func (e *Engine) nodeConfig(sessionID string, spec NodeSpec, mode NodeMode) (*container.Config, *container.HostConfig, *network.NetworkingConfig) {
	cfg := &container.Config{
		Image:    e.cfg.NodeImage,
		Hostname: spec.Name,
		Labels:   e.labels(sessionID, spec.Name),
	}
	if args := e.nodeArgs(spec.Subnet); len(args) > 0 {
		cfg.Cmd = args
	}
	noInit := false
	pids := e.cfg.PidsLimit
	hc := &container.HostConfig{
		NetworkMode:   container.NetworkMode(NetworkName(sessionID)),
		RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyDisabled},
		Init:          &noInit,
		LogConfig: container.LogConfig{
			Type:   logDriver,
			Config: map[string]string{"max-size": logMaxSize, "max-file": logMaxFiles},
		},
		Resources: container.Resources{
			Memory:     e.cfg.Memory,
			MemorySwap: e.cfg.Memory,
			PidsLimit:  &pids,
			NanoCPUs:   e.cfg.NanoCPUs,
		},
	}
	if e.cfg.Egress == EgressNone {
		// Docker Hub is out of reach: its names answer at once, on the
		// node's loopback, instead of leaving the inner engine waiting ten
		// seconds for a DNS server it cannot reach before it tries the
		// registry's mirror.
		for _, h := range dockerHubHosts {
			hc.ExtraHosts = append(hc.ExtraHosts, h+":127.0.0.1")
		}
	}
	if e.disksOn() {
		hc.Mounts = []mount.Mount{e.diskMount(sessionID, spec.Name, ContainerName(sessionID, spec.Name))}
	} else {
		cfg.Volumes = map[string]struct{}{dockerDataDir: {}}
	}
	hc.Mounts = append(hc.Mounts, e.lxcfsMounts()...)
	securityConfig(hc, mode, e.cfg.Runtime)
	e.modeMu.Lock()
	if !e.keepCapDrop {
		hc.CapDrop = nil
	}
	e.modeMu.Unlock()
	e.limitsMu.Lock()
	hc.CgroupParent = e.parent // the instance's shared limits
	e.limitsMu.Unlock()
	nc := &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
		NetworkName(sessionID): {
			IPAMConfig: &network.EndpointIPAMConfig{IPv4Address: spec.Addr.String()},
			Aliases:    []string{spec.Name},
		},
	}}
	return cfg, hc, nc
}

// RemoveSession removes every container of the session (forcibly, with its
// anonymous volumes) in parallel, then its disks and its network. A session
// that is already gone, wholly or in part, is fine; endpoints the engine
// still holds on the network are disconnected by force.
func (e *Engine) RemoveSession(ctx context.Context, sessionID string) error {
	if err := e.RemoveContainers(ctx, sessionID); err != nil {
		return err
	}
	// The disks and the network go even when the other fails, so that as
	// little as possible is left to the sweeps.
	var diskErr error
	if e.disksOn() {
		diskErr = e.removeDisks(ctx, sessionID)
	}
	return errors.Join(diskErr, e.removeNetworks(ctx, sessionID))
}

// RemoveContainers removes every container of the session, forcibly and
// with its anonymous volumes, in parallel. A session without any is fine.
func (e *Engine) RemoveContainers(ctx context.Context, sessionID string) error {
	if err := checkSessionID(sessionID); err != nil {
		return err
	}
	list, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: e.filter(sessionID)})
	if err != nil {
		return engineError(err, "list containers")
	}
	errs := make([]error, len(list))
	var wg sync.WaitGroup
	for i, c := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = e.removeContainer(ctx, c.ID)
		}()
	}
	wg.Wait()
	return firstCoded(errs)
}

// removeContainer force-removes a container with its anonymous volumes; a
// missing container, or one already being removed, is fine.
func (e *Engine) removeContainer(ctx context.Context, containerID string) error {
	err := e.cli.ContainerRemove(ctx, containerID, container.RemoveOptions{Force: true, RemoveVolumes: true})
	if err == nil || cerrdefs.IsNotFound(err) {
		return nil
	}
	if cerrdefs.IsConflict(err) {
		// "removal already in progress": another caller is removing it.
		return nil
	}
	return engineError(err, "remove container "+containerID)
}

// NodeRunning reports whether a node's container exists and runs.
func (e *Engine) NodeRunning(ctx context.Context, containerID string) (bool, error) {
	info, err := e.cli.ContainerInspect(ctx, containerID)
	if cerrdefs.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, engineError(err, "inspect container "+containerID)
	}
	return info.State != nil && info.State.Running && !info.State.Paused, nil
}

// SortNodes orders nodes by name.
func SortNodes(nodes []Node) {
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].Name < nodes[j].Name })
}

// StartNode starts a node container that has stopped (its agent died, or it
// was killed), keeping its volume: the inner engine comes back with the
// learner's images, containers and swarm state. A running node is left as
// it is; a missing one is ENOTFOUND. In ModeUserns the node's new cgroups
// are delegated to it, as at creation.
func (e *Engine) StartNode(ctx context.Context, containerID string) error {
	if e.disksOn() {
		// After a reboot of the engine's host the disk is attached to no
		// loop device, or its old one now holds another disk.
		info, err := e.cli.ContainerInspect(ctx, containerID)
		if cerrdefs.IsNotFound(err) {
			return fault.Wrap(fault.ENOTFOUND, err, "This node's container is gone; start a new session.")
		}
		if err != nil {
			return engineError(err, "inspect container "+containerID)
		}
		if hasDisk(info.Mounts) {
			if err := e.attachDisks(ctx, strings.TrimPrefix(info.Name, "/")); err != nil {
				return err
			}
		}
	}
	err := e.cli.ContainerStart(ctx, containerID, container.StartOptions{})
	if cerrdefs.IsNotFound(err) {
		return fault.Wrap(fault.ENOTFOUND, err, "This node's container is gone; start a new session.")
	}
	if err != nil {
		return engineError(err, "start container "+containerID)
	}
	mode, err := e.Mode(ctx)
	if err != nil {
		return err
	}
	if mode == ModeUserns {
		if err := e.delegate(ctx, containerID); err != nil {
			// A node without its cgroups (or, after an engine restarted
			// without user namespaces, one that is root on the host) must
			// not run.
			e.stopQuietly(containerID)
			return err
		}
	}
	return nil
}

// stopQuietly stops a container under a fresh context; failures are logged.
func (e *Engine) stopQuietly(containerID string) {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	if err := e.cli.ContainerKill(ctx, containerID, "KILL"); err != nil && !cerrdefs.IsNotFound(err) {
		e.log.Warn("stop a node that could not be prepared", "container", containerID, "err", err)
	}
}
