package cluster

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions/engine"
)

// listHosts returns the swarm's hosts, listing them again when the last
// listing is older than hostsFresh or force is set. The connections of
// hosts that left, or whose address changed, are closed (their helpers
// stay on them, for when they come back).
func (c *Cluster) listHosts(ctx context.Context, force bool) (map[string]*Host, error) {
	c.mu.Lock()
	if !force && time.Since(c.listedAt) < hostsFresh && len(c.hosts) > 0 {
		hosts := c.hosts
		c.mu.Unlock()
		return hosts, nil
	}
	c.mu.Unlock()
	nodes, err := c.swarm.NodeList(ctx, swarm.NodeListOptions{})
	if err != nil {
		return nil, fault.Wrap(fault.EUNAVAILABLE, err, "The swarm's manager is not reachable.")
	}
	hosts := make(map[string]*Host, len(nodes))
	for _, n := range nodes {
		hosts[n.ID] = &Host{
			ID: n.ID, Name: n.Description.Hostname,
			State: n.Status.State, Availability: n.Spec.Availability,
			Manager:     n.ManagerStatus != nil,
			Addr:        engineAddr(n),
			MemoryBytes: n.Description.Resources.MemoryBytes,
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for key, cn := range c.conns {
		if h := hosts[cn.hostID]; h == nil || connKey(h) != key {
			_ = cn.cli.Close()
			delete(c.conns, key)
		}
	}
	c.hosts, c.listedAt = hosts, time.Now()
	return hosts, nil
}

// engineAddr returns a host's Engine API address: its LabelEngine label,
// or else its swarm address on DefaultEnginePort.
func engineAddr(n swarm.Node) string {
	if a := n.Spec.Labels[LabelEngine]; a != "" {
		return a
	}
	return "tcp://" + net.JoinHostPort(n.Status.Addr, DefaultEnginePort)
}

// conn is the connection to one host's Engine API, kept per host and
// address, with what the checks of that host found.
type conn struct {
	hostID string
	cli    *client.Client
	eng    *engine.Engine
	// checked is set once checkHost ran; unfit then says why the host
	// takes no session ("" when it may).
	checked bool
	unfit   string
}

// connKey keys a host's connection.
func connKey(h *Host) string { return h.ID + " " + h.Addr }

// host returns the host with the given swarm node id and its connection.
// An unknown id lists the hosts again once.
func (c *Cluster) host(ctx context.Context, id string) (*Host, *conn, error) {
	hosts, err := c.listHosts(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	h := hosts[id]
	if h == nil {
		if hosts, err = c.listHosts(ctx, true); err != nil {
			return nil, nil, err
		}
		if h = hosts[id]; h == nil {
			return nil, nil, fault.Errorf(fault.EUNAVAILABLE, "The machine of this node has left the cluster.")
		}
	}
	cn, err := c.connect(h)
	return h, cn, err
}

// connect returns the host's connection, made once per host and address.
func (c *Cluster) connect(h *Host) (*conn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cn := c.conns[connKey(h)]; cn != nil {
		return cn, nil
	}
	cli, err := newClient(h.Addr, c.cfg.TLSDir)
	if err != nil {
		return nil, fault.Wrap(fault.EUNAVAILABLE, err, "The machine "+h.Name+" is not reachable.")
	}
	cfg := c.cfg.Engine
	cfg.DiskDir = filepath.Join(cfg.DiskDir, h.Name)
	cn := &conn{hostID: h.ID, cli: cli, eng: engine.New(cli, cfg, c.log.With("host", h.Name))}
	c.conns[connKey(h)] = cn
	return cn, nil
}

// unfitHosts returns the ids of the hosts whose checks failed, which no
// session is placed on.
func (c *Cluster) unfitHosts() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ids []string
	for _, cn := range c.conns {
		if cn.unfit != "" {
			ids = append(ids, cn.hostID)
		}
	}
	sort.Strings(ids)
	return ids
}

// HostReport is what an operator sees of a host (playground hosts, /metrics).
type HostReport struct {
	Name         string `json:"name"`
	ID           string `json:"id"`
	State        string `json:"state"`
	Availability string `json:"availability"`
	Manager      bool   `json:"manager"`
	Engine       string `json:"engine"`
	Sessions     int    `json:"sessions"`
	Nodes        int    `json:"nodes"`
	// MemoryBytes is the host's memory, MemoryReserved what the instance's
	// nodes reserve on it, MemoryFree the rest, which Swarm places into.
	MemoryBytes    int64 `json:"memory_bytes"`
	MemoryReserved int64 `json:"memory_reserved_bytes"`
	MemoryFree     int64 `json:"memory_free_bytes"`
}

// Hosts reports every host of the swarm with the instance's sessions and
// nodes on it, sorted by name. It asks only the swarm's manager.
func (c *Cluster) Hosts(ctx context.Context) ([]HostReport, error) {
	hosts, err := c.listHosts(ctx, true)
	if err != nil {
		return nil, err
	}
	tasks, err := c.tasks(ctx, "")
	if err != nil {
		return nil, err
	}
	out := map[string]*HostReport{}
	for id, h := range hosts {
		out[id] = &HostReport{Name: h.Name, ID: h.ID, State: string(h.State), Availability: string(h.Availability),
			Manager: h.Manager, Engine: h.Addr, MemoryBytes: h.MemoryBytes}
	}
	seen := map[string]map[string]bool{}
	for _, t := range tasks {
		r := out[t.NodeID]
		if r == nil || t.DesiredState != swarm.TaskStateRunning {
			continue
		}
		r.Nodes++
		if res := t.Spec.Resources; res != nil && res.Reservations != nil {
			r.MemoryReserved += res.Reservations.MemoryBytes
		}
		if seen[t.NodeID] == nil {
			seen[t.NodeID] = map[string]bool{}
		}
		seen[t.NodeID][t.Spec.ContainerSpec.Labels[engine.LabelSession]] = true
	}
	list := make([]HostReport, 0, len(out))
	for id, r := range out {
		r.Sessions = len(seen[id])
		r.MemoryFree = max(0, r.MemoryBytes-r.MemoryReserved)
		list = append(list, *r)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list, nil
}

// Capacity returns the sessions the usable hosts hold, from their memory
// and engine.SessionMemoryBudget as on one host.
func (c *Cluster) Capacity(ctx context.Context) (int, error) {
	hosts, err := c.listHosts(ctx, true)
	if err != nil {
		return 0, err
	}
	var memory int64
	for _, h := range hosts {
		if h.Usable() {
			memory += h.MemoryBytes
		}
	}
	return int(memory / engine.SessionMemoryBudget), nil
}

// lostWhy says why a host's sessions must end, or "" when they may go on:
// a host that is down or drained has lost them (a paused host keeps its
// sessions running and takes no new ones).
func lostWhy(h *Host) string {
	switch {
	case h == nil:
		return engine.LostHostGone
	case h.Availability == swarm.NodeAvailabilityDrain:
		return engine.LostHostServiced
	case h.State == swarm.NodeStateDown, h.State == swarm.NodeStateDisconnected:
		return engine.LostHostGone
	}
	return ""
}

// splitID splits a cluster container id into the host's id and the
// container's id on that host.
func splitID(id string) (host, container string, err error) {
	host, container, ok := strings.Cut(id, "/")
	if !ok || host == "" || container == "" {
		return "", "", fault.Errorf(fault.ENOTFOUND, "No such node.")
	}
	return host, container, nil
}

// joinID is splitID's inverse.
func joinID(host, container string) string { return host + "/" + container }

// describe names a host for messages.
func (h *Host) describe() string { return fmt.Sprintf("%s (%s)", h.Name, h.ID[:min(len(h.ID), 12)]) }
