package cluster

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/internal/ctxtime"
	"github.com/labplay/playground/sessions/engine"
)

// A session's nodes share one host. Swarm's scheduler picks it (choose),
// for the whole session's reservation; every node is pinned to it. Measured
// reasons (README, Several hosts): a host lost or drained then ends whole
// sessions and never leaves half of one running; nodes of one session talk
// over the overlay without leaving their host; and a session's start does
// not wait on the slowest of several hosts. The seed lab's swarm works the
// same over the overlay network either way.

// Placement timings.
const (
	// pollEvery is how often a task's state is read while waiting.
	pollEvery = 100 * time.Millisecond
	// fullRetry is when a learner turned away for lack of room may try
	// again.
	fullRetry = 30 * time.Second
	// networkTries bounds the attempts to remove a session's network while
	// its last endpoints go.
	networkTries = 20
)

// errFull is the learner's answer when no host has room.
func errFull() error {
	return &fault.Error{Code: fault.EFULL, RetryAfter: fullRetry,
		Message: "The playground is full: no machine has room for another session right now. Try again in half a minute."}
}

// CreateSession creates a session's overlay network on subnet, asks the
// swarm which host has room for the whole session (choose), makes the
// nodes' disks there, creates one service per node pinned to that host,
// waits for every node to run, and hands each its cgroups. On any failure
// it removes what it made. No room on any host is EFULL.
func (c *Cluster) CreateSession(ctx context.Context, sessionID string, subnet netip.Prefix, names []string) ([]engine.Node, error) {
	if len(names) == 0 {
		return nil, fault.Errorf(fault.EINVALID, "A session needs at least one node.")
	}
	netID, err := c.createNetwork(ctx, c.names, sessionID, subnet)
	if err != nil {
		return nil, err
	}
	fail := func(err error) ([]engine.Node, error) {
		c.cleanup(sessionID)
		return nil, err
	}
	reservation := int64(len(names)) * c.cfg.Reservation
	hostID, err := c.choose(ctx, sessionID, reservation)
	if err != nil {
		// Nothing is on any host yet: the network alone goes, without
		// asking every host (a full cluster turns many learners away).
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if rerr := c.removeNetwork(cctx, sessionID); rerr != nil {
			c.log.Error("clean up failed session", "session", sessionID, "err", rerr)
		}
		return nil, err
	}
	_, cn, err := c.host(ctx, hostID)
	if err != nil {
		return fail(err)
	}
	if err := cn.eng.AttachDisks(ctx, sessionID, names...); err != nil {
		return fail(err)
	}
	// The first node reserves the whole session's memory, the others
	// nothing: a session is placed, and counted, as one.
	services := make([]string, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := int64(0)
			if i == 0 {
				r = reservation
			}
			services[i], errs[i] = c.createService(ctx, cn.eng, sessionID, name, netID, subnet, hostID, r)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fail(err)
	}
	// The room the probe found may have gone to another session since.
	if _, err := c.waitPlaced(ctx, services[0]); err != nil {
		return fail(err)
	}
	nodes, err := c.waitRunning(ctx, hostID, netID, services)
	if err != nil {
		return fail(err)
	}
	return nodes, nil
}

// choose asks Swarm's scheduler which host has room for reservation: a
// probe service that reserves it and runs nothing, removed as soon as it
// is placed. The nodes' disks are then made on that host before the nodes
// exist, which a service placed by the swarm could not wait for.
func (c *Cluster) choose(ctx context.Context, sessionID string, reservation int64) (string, error) {
	one := uint64(1)
	labels := c.names.Labels(sessionID, "")
	labels[engine.LabelProbe] = "true"
	spec := swarm.ServiceSpec{
		Annotations: swarm.Annotations{Name: engine.ContainerName(sessionID, "probe"), Labels: labels},
		TaskTemplate: swarm.TaskSpec{
			ContainerSpec: &swarm.ContainerSpec{Image: c.cfg.Engine.NodeImage, Command: []string{"true"}, Labels: labels},
			Resources:     &swarm.ResourceRequirements{Reservations: &swarm.Resources{MemoryBytes: reservation}},
			RestartPolicy: &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionNone},
			Placement:     &swarm.Placement{Constraints: c.constraints("")},
		},
		Mode: swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &one}},
	}
	resp, err := c.swarm.ServiceCreate(ctx, spec, swarm.ServiceCreateOptions{})
	if err != nil {
		return "", fault.Wrap(fault.EUNAVAILABLE, err, "The swarm could not place the session.")
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), hostTimeout)
		defer cancel()
		if err := c.swarm.ServiceRemove(rctx, resp.ID); err != nil && !cerrdefs.IsNotFound(err) {
			c.log.Warn("remove a placement probe", "session", sessionID, "err", err)
		}
	}()
	return c.waitPlaced(ctx, resp.ID)
}

// constraints returns the placement constraints of a node: Linux, none of
// the hosts whose checks failed, and the session's host when hostID is set.
func (c *Cluster) constraints(hostID string) []string {
	out := []string{"node.platform.os==linux"}
	for _, id := range c.unfitHosts() {
		out = append(out, "node.id!="+id)
	}
	if hostID != "" {
		out = append(out, "node.id=="+hostID)
	}
	return out
}

// createNetwork creates the session's attachable, internal overlay
// network: nodes reach each other and nothing else.
func (c *Cluster) createNetwork(ctx context.Context, eng *engine.Engine, sessionID string, subnet netip.Prefix) (string, error) {
	resp, err := c.swarm.NetworkCreate(ctx, engine.NetworkName(sessionID), network.CreateOptions{
		Driver:     "overlay",
		Attachable: true,
		Internal:   true,
		IPAM:       &network.IPAM{Config: []network.IPAMConfig{{Subnet: subnet.String()}}},
		Labels:     eng.Labels(sessionID, ""),
	})
	switch {
	case cerrdefs.IsConflict(err):
		return "", fault.Wrap(fault.ECONFLICT, err, "The session's network exists already.")
	case err != nil:
		return "", fault.Wrap(fault.EUNAVAILABLE, err, "The swarm could not create the session's network.")
	}
	return resp.ID, nil
}

// createService creates one node's service with eng, the engine of the
// host it is pinned to (hostID); reservation is the memory it reserves.
func (c *Cluster) createService(ctx context.Context, eng *engine.Engine, sessionID, name, netID string, subnet netip.Prefix, hostID string, reservation int64) (string, error) {
	spec := eng.NodeService(sessionID, name, netID, subnet)
	spec.TaskTemplate.Resources.Reservations = &swarm.Resources{MemoryBytes: reservation}
	spec.TaskTemplate.Placement = &swarm.Placement{Constraints: c.constraints(hostID)}
	resp, err := c.swarm.ServiceCreate(ctx, spec, swarm.ServiceCreateOptions{})
	switch {
	case cerrdefs.IsConflict(err):
		return "", fault.Wrap(fault.ECONFLICT, err, "A node named "+name+" exists already in this session.")
	case err != nil:
		return "", fault.Wrap(fault.EUNAVAILABLE, err, "The swarm could not create the node "+name+".")
	}
	for _, w := range resp.Warnings {
		c.log.Warn("service created with a warning", "service", spec.Name, "warning", w)
	}
	return resp.ID, nil
}

// waitPlaced waits until the scheduler gives the service's task a host, and
// returns the host's id. A task the scheduler cannot place for lack of
// room is EFULL.
func (c *Cluster) waitPlaced(ctx context.Context, serviceID string) (string, error) {
	for {
		t, err := c.serviceTask(ctx, serviceID)
		if err != nil {
			return "", err
		}
		if t != nil {
			if t.NodeID != "" {
				return t.NodeID, nil
			}
			if strings.Contains(t.Status.Err, "no suitable node") {
				c.log.Info("no host has room for a session", "why", t.Status.Err)
				return "", errFull()
			}
		}
		if err := ctxtime.Sleep(ctx, pollEvery); err != nil {
			return "", fault.Wrap(fault.EUNAVAILABLE, err, "The swarm did not place the session in time.")
		}
	}
}

// serviceTask returns the newest task of a service, or nil before it has
// one.
func (c *Cluster) serviceTask(ctx context.Context, serviceID string) (*swarm.Task, error) {
	tasks, err := c.swarm.TaskList(ctx, swarm.TaskListOptions{Filters: serviceFilter(serviceID)})
	if err != nil {
		return nil, fault.Wrap(fault.EUNAVAILABLE, err, "The swarm's manager is not reachable.")
	}
	var newest *swarm.Task
	for i := range tasks {
		if newest == nil || tasks[i].Meta.CreatedAt.After(newest.Meta.CreatedAt) {
			newest = &tasks[i]
		}
	}
	return newest, nil
}

// waitRunning waits until every service's task runs on the host, then hands
// the nodes their cgroups there and returns them.
func (c *Cluster) waitRunning(ctx context.Context, hostID, netID string, services []string) ([]engine.Node, error) {
	nodes := make([]engine.Node, 0, len(services))
	var ids []string
	for _, svc := range services {
		for {
			t, err := c.serviceTask(ctx, svc)
			if err != nil {
				return nil, err
			}
			if t != nil {
				if n, ok, err := c.taskNode(t, hostID, netID); err != nil {
					return nil, err
				} else if ok {
					nodes = append(nodes, n)
					_, cid, _ := splitID(n.ContainerID)
					ids = append(ids, cid)
					break
				}
			}
			if err := ctxtime.Sleep(ctx, pollEvery); err != nil {
				return nil, fault.Wrap(fault.EUNAVAILABLE, err, "The session's nodes did not start in time.")
			}
		}
	}
	_, cn, err := c.host(ctx, hostID)
	if err != nil {
		return nil, err
	}
	if err := cn.eng.Adopt(ctx, ids...); err != nil {
		return nil, err
	}
	engine.SortNodes(nodes)
	return nodes, nil
}

// taskNode reads a node out of its task once the task runs; ok is false
// while it is on its way. A task that failed, or runs elsewhere than the
// session's host, is an error.
func (c *Cluster) taskNode(t *swarm.Task, hostID, netID string) (engine.Node, bool, error) {
	switch t.Status.State {
	case swarm.TaskStateRunning:
	case swarm.TaskStateFailed, swarm.TaskStateRejected, swarm.TaskStateShutdown, swarm.TaskStateComplete, swarm.TaskStateOrphaned, swarm.TaskStateRemove:
		msg := t.Status.Err
		if msg == "" {
			msg = t.Status.Message
		}
		return engine.Node{}, false, fault.Wrap(fault.EUNAVAILABLE, errors.New(msg), "A node of the session could not start.")
	default:
		return engine.Node{}, false, nil
	}
	if t.NodeID != hostID {
		return engine.Node{}, false, fault.Errorf(fault.EINTERNAL, "A node started on another host than its session's.")
	}
	if t.Status.ContainerStatus == nil || t.Status.ContainerStatus.ContainerID == "" {
		return engine.Node{}, false, nil
	}
	n := engine.Node{
		Name:        t.Spec.ContainerSpec.Labels[engine.LabelNode],
		ContainerID: joinID(hostID, t.Status.ContainerStatus.ContainerID),
		Running:     true,
	}
	for _, a := range t.NetworksAttachments {
		if a.Network.ID != netID || len(a.Addresses) == 0 {
			continue
		}
		if p, err := netip.ParsePrefix(a.Addresses[0]); err == nil {
			n.Addr = p.Addr()
		}
	}
	return n, true, nil
}

// cleanup removes a half-made session under a fresh context.
func (c *Cluster) cleanup(sessionID string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.RemoveSession(ctx, sessionID); err != nil {
		c.log.Error("clean up failed session", "session", sessionID, "err", err)
	}
}
