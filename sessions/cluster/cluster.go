// Package cluster runs sessions on a Docker Swarm of hosts. The swarm
// places: every node of a session is a one-replica service (engine.NodeService)
// whose memory reservation lets Swarm's scheduler choose a host with room,
// on an attachable, internal overlay network of the session's own. Each
// host's own Engine API, over mutual TLS, does the rest, as the engine
// room does on one host: terminals, files, ports, checks and the per-host
// helper (cgroup hand-over). A session's nodes all live on the host where
// its first node was placed (see place.go for why).
//
// Container ids handed to the manager are "<swarm node id>/<container id>",
// so that any server replica routes a node's work to its host with nothing
// but the id the store keeps.
package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions/engine"
)

// LabelEngine is the swarm node label that gives a host's Engine API
// address ("tcp://10.0.0.5:2376"). Without it, the address is the one
// the host takes part in the swarm with, on DefaultEnginePort.
const LabelEngine = "playground.engine"

// DefaultEnginePort is Docker's port for its API over TLS.
const DefaultEnginePort = "2376"

// DefaultReservation is the memory each node reserves on its host, which is
// what Swarm places by: what a session costs on average
// (engine.SessionMemoryBudget) over its usual three nodes. A node may use
// up to its limit (engine.Config.Memory); the reservation is what the
// scheduler counts.
const DefaultReservation = engine.SessionMemoryBudget / 3

// hostsFresh is how long a listing of the swarm's hosts is trusted. Watch
// lists them again every watchEvery, so a request routed to a node's host
// (a terminal, a file) finds a listing fresh enough rather than asking the
// swarm's manager itself; only a process without Watch (the CLI) waits out
// hostsFresh.
const hostsFresh = 3 * watchEvery

// hostTimeout bounds what the periodic work asks of one host's engine, so
// that a host that vanished without a word (its connections hanging until
// TCP gives up) holds up nothing else.
const hostTimeout = 10 * time.Second

// Config is what a Cluster needs.
type Config struct {
	// Manager is the Docker address of one of the swarm's managers:
	// unix:// on the manager itself, or tcp:// with TLS.
	Manager string
	// TLSDir holds ca.pem, cert.pem and key.pem (Docker's names): the CA
	// that signs the hosts' certificates and this client's certificate.
	TLSDir string
	// Engine is the nodes' settings, as on one host. The registry and the
	// shared limits are off here (see README, Several hosts).
	Engine engine.Config
	// Reservation is the memory each node reserves; 0 means
	// DefaultReservation.
	Reservation int64
}

// Cluster is a swarm of hosts that run sessions. It is safe for concurrent
// use; several server processes may share one swarm.
type Cluster struct {
	cfg   Config
	swarm client.APIClient
	log   *slog.Logger
	// names makes the labels of a session's resources as the hosts'
	// engines look for them; it talks to no engine (each host's engine
	// builds its nodes' services).
	names *engine.Engine

	// mu guards the last listing of the hosts and the connections.
	mu       sync.Mutex
	hosts    map[string]*Host // by swarm node id
	listedAt time.Time
	conns    map[string]*conn // by connKey
}

// Host is one member of the swarm, as last listed.
type Host struct {
	ID           string
	Name         string // the swarm node's hostname
	State        swarm.NodeState
	Availability swarm.NodeAvailability
	Manager      bool
	Addr         string // its Engine API, "tcp://…"
	MemoryBytes  int64
}

// Usable reports whether new sessions may be placed on the host.
func (h *Host) Usable() bool {
	return h.State == swarm.NodeStateReady && h.Availability == swarm.NodeAvailabilityActive
}

// New connects to the swarm's manager. Call Check before serving.
func New(cfg Config, log *slog.Logger) (*Cluster, error) {
	if log == nil {
		log = slog.Default()
	}
	if cfg.Reservation == 0 {
		cfg.Reservation = DefaultReservation
	}
	cfg.Engine = hostEngineConfig(cfg.Engine)
	cli, err := newClient(cfg.Manager, cfg.TLSDir)
	if err != nil {
		return nil, err
	}
	return &Cluster{cfg: cfg, swarm: cli, log: log, names: engine.New(nil, cfg.Engine, log),
		hosts: map[string]*Host{}, conns: map[string]*conn{}}, nil
}

// hostEngineConfig turns the nodes' settings into those of the hosts of a
// cluster: no registry; the shared limits on the host engine's default
// cgroup parent, since a swarm service cannot name one; the network is
// internal. Each host keeps its disks in a folder of its own under DiskDir
// (connect), so that hosts sharing a file system (make cluster's) never
// take each other's for orphans.
func hostEngineConfig(c engine.Config) engine.Config {
	c.RegistryImage = ""
	c.LimitDefaultParent = true
	c.Egress = engine.EgressNone
	return c
}

// newClient returns a Docker client for addr, with TLS from dir when addr
// is tcp://.
func newClient(addr, dir string) (*client.Client, error) {
	opts := []client.Opt{client.WithHost(addr), client.WithAPIVersionNegotiation()}
	if strings.HasPrefix(addr, "tcp://") {
		// An Engine API on the network answers only over mutual TLS.
		if dir == "" {
			return nil, fmt.Errorf("cluster: %s is on the network, and no TLS folder is set (PLAYGROUND_CLUSTER_TLS)", addr)
		}
		opts = append(opts, client.WithTLSClientConfig(
			filepath.Join(dir, "ca.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")))
	}
	cli, err := client.NewClientWithOpts(opts...)
	if err != nil {
		return nil, fmt.Errorf("cluster: docker client for %s: %w", addr, err)
	}
	return cli, nil
}

// Config returns the nodes' settings.
func (c *Cluster) Config() engine.Config { return c.cfg.Engine }

// Ping reports whether the swarm's manager answers and is a manager.
func (c *Cluster) Ping(ctx context.Context) error {
	info, err := c.swarm.Info(ctx)
	if err != nil {
		return fault.Wrap(fault.EUNAVAILABLE, err, "The swarm's manager is not reachable.")
	}
	if !info.Swarm.ControlAvailable {
		return fault.Errorf(fault.EUNAVAILABLE, "The Docker engine at %s is not a swarm manager.", c.cfg.Manager)
	}
	return nil
}

// Close removes the helpers of the hosts that answer and closes the
// clients. A host that is lost keeps its helper, for when it comes back.
func (c *Cluster) Close(ctx context.Context) error {
	c.mu.Lock()
	conns, hosts := c.conns, c.hosts
	c.conns = map[string]*conn{}
	c.mu.Unlock()
	for _, cn := range conns {
		if h := hosts[cn.hostID]; h != nil && lostWhy(h) == "" {
			hctx, cancel := context.WithTimeout(ctx, hostTimeout)
			if err := cn.eng.Close(hctx); err != nil {
				c.log.Warn("close a host's helper", "host", h.Name, "err", err)
			}
			cancel()
		}
		_ = cn.cli.Close()
	}
	return c.swarm.Close()
}
