package cluster

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/internal/ctxtime"
	"github.com/labplay/playground/sessions/engine"
)

// serviceFilter selects one service's tasks.
func serviceFilter(serviceID string) filters.Args {
	return filters.NewArgs(filters.Arg("service", serviceID))
}

// instanceFilter selects the instance's services or networks, narrowed to
// one session when sessionID is set.
func (c *Cluster) instanceFilter(sessionID string) filters.Args {
	f := filters.NewArgs(filters.Arg("label", engine.LabelInstance+"="+c.cfg.Engine.Instance))
	if sessionID != "" {
		f.Add("label", engine.LabelSession+"="+sessionID)
	}
	return f
}

// tasks returns the tasks of the instance's nodes in any state, narrowed to
// one session when sessionID is set. The swarm keeps a task's container
// labels in its spec, which is what this filters on.
func (c *Cluster) tasks(ctx context.Context, sessionID string) ([]swarm.Task, error) {
	all, err := c.swarm.TaskList(ctx, swarm.TaskListOptions{})
	if err != nil {
		return nil, fault.Wrap(fault.EUNAVAILABLE, err, "The swarm's manager is not reachable.")
	}
	var out []swarm.Task
	for _, t := range all {
		cs := t.Spec.ContainerSpec
		if cs == nil || cs.Labels[engine.LabelInstance] != c.cfg.Engine.Instance || cs.Labels[engine.LabelProbe] != "" ||
			cs.Labels[engine.LabelSession] == "" {
			continue // another deployment's, or a placement probe
		}
		if sessionID != "" && cs.Labels[engine.LabelSession] != sessionID {
			continue
		}
		out = append(out, t)
	}
	return out, nil
}

// sessionHost returns the id of the host where the session's nodes live.
func (c *Cluster) sessionHost(ctx context.Context, sessionID string) (string, error) {
	tasks, err := c.tasks(ctx, sessionID)
	if err != nil {
		return "", err
	}
	for _, t := range tasks {
		if t.NodeID != "" {
			return t.NodeID, nil
		}
	}
	return "", fault.Errorf(fault.ENOTFOUND, "This session has no node on any host.")
}

// AddNode adds a node to a running session, on the session's host. A host
// without room for it is EFULL.
func (c *Cluster) AddNode(ctx context.Context, sessionID string, subnet netip.Prefix, name string) (engine.Node, error) {
	hostID, err := c.sessionHost(ctx, sessionID)
	if err != nil {
		return engine.Node{}, err
	}
	nets, err := c.swarm.NetworkList(ctx, network.ListOptions{Filters: c.instanceFilter(sessionID)})
	if err != nil || len(nets) == 0 {
		return engine.Node{}, fault.Errorf(fault.EUNAVAILABLE, "The session's network is gone.")
	}
	_, cn, err := c.host(ctx, hostID)
	if err != nil {
		return engine.Node{}, err
	}
	fail := func(err error) (engine.Node, error) {
		// Under a context of its own: ctx may be what ran out.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if rerr := c.removeNode(cctx, sessionID, name); rerr != nil {
			c.log.Error("remove a node that could not be added", "session", sessionID, "node", name, "err", rerr)
		}
		return engine.Node{}, err
	}
	if err := cn.eng.AttachDisks(ctx, sessionID, name); err != nil {
		return fail(err)
	}
	svc, err := c.createService(ctx, cn.eng, sessionID, name, nets[0].ID, subnet, hostID, c.cfg.Reservation)
	if err != nil {
		return fail(err)
	}
	placed, err := c.waitPlaced(ctx, svc)
	if err != nil {
		return fail(err)
	}
	if placed != hostID {
		return fail(fault.Errorf(fault.EINTERNAL, "A node was placed on another host than its session's."))
	}
	nodes, err := c.waitRunning(ctx, hostID, nets[0].ID, []string{svc})
	if err != nil {
		return fail(err)
	}
	return nodes[0], nil
}

// RemoveNode removes one node of a session.
func (c *Cluster) RemoveNode(ctx context.Context, sessionID, name string) error {
	return c.removeNode(ctx, sessionID, name)
}

func (c *Cluster) removeNode(ctx context.Context, sessionID, name string) error {
	hostID, _ := c.sessionHost(ctx, sessionID)
	err := c.swarm.ServiceRemove(ctx, engine.ContainerName(sessionID, name))
	if err != nil && !cerrdefs.IsNotFound(err) {
		return fault.Wrap(fault.EUNAVAILABLE, err, "The swarm could not remove the node.")
	}
	if hostID == "" {
		return nil
	}
	if h, cn, err := c.host(ctx, hostID); err == nil && lostWhy(h) == "" {
		hctx, cancel := context.WithTimeout(ctx, hostTimeout)
		defer cancel()
		nodes, err := cn.eng.Nodes(hctx, sessionID)
		if err != nil {
			return err
		}
		for _, n := range nodes {
			if n.Name == name {
				if err := cn.eng.RemoveContainer(hctx, n.ContainerID); err != nil {
					return err
				}
			}
		}
		// Its disk, by the node's name.
		return cn.eng.RemoveNode(hctx, sessionID, name)
	}
	return nil
}

// RemoveSession removes the session's services, their containers on its
// host (sooner than the swarm would), and its network. What is already
// gone is fine; a host that is lost keeps its containers until it comes
// back, when the swarm and Reconcile sweep them.
func (c *Cluster) RemoveSession(ctx context.Context, sessionID string) error {
	tasks, err := c.tasks(ctx, sessionID)
	if err != nil {
		return err
	}
	svcs, err := c.swarm.ServiceList(ctx, swarm.ServiceListOptions{Filters: c.instanceFilter(sessionID)})
	if err != nil {
		return fault.Wrap(fault.EUNAVAILABLE, err, "The swarm's manager is not reachable.")
	}
	var errs []error
	for _, s := range svcs {
		if err := c.swarm.ServiceRemove(ctx, s.ID); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fault.Wrap(fault.EUNAVAILABLE, err, "The swarm could not remove a node."))
		}
	}
	hosts := map[string]bool{}
	for _, t := range tasks {
		if t.NodeID != "" {
			hosts[t.NodeID] = true
		}
	}
	if len(hosts) == 0 {
		// The swarm forgot its tasks (a host that came back after its
		// services went): what is left may be on any host.
		all, err := c.listHosts(ctx, false)
		if err != nil {
			return err
		}
		for id := range all {
			hosts[id] = true
		}
	}
	for id := range hosts {
		h, cn, err := c.host(ctx, id)
		if err != nil || lostWhy(h) == engine.LostHostGone {
			continue
		}
		hctx, cancel := context.WithTimeout(ctx, hostTimeout)
		err = cn.eng.RemoveContainers(hctx, sessionID)
		if err == nil {
			err = cn.eng.RemoveDisks(hctx, sessionID)
		}
		cancel()
		if err != nil && fault.ErrorCode(err) != fault.EUNAVAILABLE {
			errs = append(errs, err)
		}
	}
	errs = append(errs, c.removeNetwork(ctx, sessionID))
	return errors.Join(errs...)
}

// removeNetwork removes the session's network from the swarm, waiting out
// the endpoints the hosts are still letting go of.
func (c *Cluster) removeNetwork(ctx context.Context, sessionID string) error {
	nets, err := c.swarm.NetworkList(ctx, network.ListOptions{Filters: c.instanceFilter(sessionID)})
	if err != nil {
		return fault.Wrap(fault.EUNAVAILABLE, err, "The swarm's manager is not reachable.")
	}
	for _, n := range nets {
		for try := 1; ; try++ {
			err := c.swarm.NetworkRemove(ctx, n.ID)
			if err == nil || cerrdefs.IsNotFound(err) {
				break
			}
			if try == networkTries {
				return fault.Wrap(fault.EUNAVAILABLE, err, "The session's network could not be removed.")
			}
			if err := ctxtime.Sleep(ctx, 5*pollEvery); err != nil {
				return fault.Wrap(fault.EUNAVAILABLE, err, "The session's network could not be removed.")
			}
		}
	}
	return nil
}

// List returns the instance's sessions with their nodes on every host: as
// the host's engine sees them when it answers, as the swarm last saw them
// otherwise; nodes on a host that is lost or drained say so (Node.Lost).
// Sessions with services or a network but no container are listed without
// nodes, so that leftovers are found.
func (c *Cluster) List(ctx context.Context) (map[string][]engine.Node, error) {
	hosts, err := c.listHosts(ctx, true)
	if err != nil {
		return nil, err
	}
	tasks, err := c.tasks(ctx, "")
	if err != nil {
		return nil, err
	}
	out := map[string][]engine.Node{}
	byHost := map[string][]swarm.Task{}
	for _, t := range tasks {
		out[t.Spec.ContainerSpec.Labels[engine.LabelSession]] = nil
		if t.NodeID != "" && t.Status.ContainerStatus != nil && t.Status.ContainerStatus.ContainerID != "" {
			byHost[t.NodeID] = append(byHost[t.NodeID], t)
		}
	}
	nets, err := c.swarm.NetworkList(ctx, network.ListOptions{Filters: c.instanceFilter("")})
	if err != nil {
		return nil, fault.Wrap(fault.EUNAVAILABLE, err, "The swarm's manager is not reachable.")
	}
	for _, n := range nets {
		if id := n.Labels[engine.LabelSession]; id != "" {
			if _, ok := out[id]; !ok {
				out[id] = nil
			}
		}
	}
	// Each host that is not lost is asked, all at once; a host that does
	// not answer, or is lost, or has left the swarm, is as the swarm saw it.
	listed := make(map[string]map[string][]engine.Node, len(hosts))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for id, h := range hosts {
		if lostWhy(h) != "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if l, err := c.hostList(ctx, h); err == nil {
				mu.Lock()
				listed[id] = l
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, l := range listed {
		for sid, nodes := range l {
			out[sid] = append(out[sid], nodes...)
		}
	}
	for id, tasks := range byHost {
		if _, ok := listed[id]; ok {
			continue
		}
		why := lostWhy(hosts[id]) // a host that left the swarm is lost
		for _, t := range tasks {
			sid := t.Spec.ContainerSpec.Labels[engine.LabelSession]
			out[sid] = append(out[sid], engine.Node{
				Name:        t.Spec.ContainerSpec.Labels[engine.LabelNode],
				ContainerID: joinID(id, t.Status.ContainerStatus.ContainerID),
				Running:     t.Status.State == swarm.TaskStateRunning && why == "",
				Lost:        why,
			})
		}
	}
	for sid := range out {
		engine.SortNodes(out[sid])
	}
	return out, nil
}

// hostList lists the instance's node containers on one host, within
// hostTimeout.
func (c *Cluster) hostList(ctx context.Context, h *Host) (map[string][]engine.Node, error) {
	cn, err := c.connect(h)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, hostTimeout)
	defer cancel()
	listed, err := cn.eng.List(ctx)
	if err != nil {
		c.log.Warn("a host's engine does not answer; its nodes are as the swarm last saw them", "host", h.describe(), "err", err)
		return nil, err
	}
	out := make(map[string][]engine.Node, len(listed))
	for sid, nodes := range listed {
		for _, n := range nodes {
			n.ContainerID = joinID(h.ID, n.ContainerID)
			out[sid] = append(out[sid], n)
		}
	}
	return out, nil
}
