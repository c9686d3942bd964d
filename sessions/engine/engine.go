// Package engine is everything the server does with the Docker engine that
// hosts the sessions. It speaks only the Docker Engine API, so the server
// works the same against a local socket or a remote engine (DOCKER_HOST, TLS).
//
// A session is one bridge network with a small subnet chosen by the caller
// and one container per node, all labelled with the deployment's instance,
// the session and the node. Every container runs the node agent as PID 1;
// the engine reaches the agent's shells by exec'ing its relay in the node.
package engine

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"path/filepath"
	"sync"

	"github.com/labplay/playground/fault"

	"github.com/docker/docker/client"
)

// Config holds the settings of an Engine. Zero fields take the defaults in
// limits.go.
type Config struct {
	// NodeImage is the image every node runs; its entrypoint is the agent.
	NodeImage string
	// Instance separates deployments sharing one engine: it is the value of
	// the instance label, and List and RemoveSession only see its resources.
	Instance string
	// Memory is the memory limit of each node in bytes; swap is not allowed.
	Memory int64
	// PidsLimit caps the processes of each node.
	PidsLimit int64
	// NanoCPUs is the CPU quota of each node in billionths of a CPU.
	NanoCPUs int64
	// NodesMemory caps the memory of all the instance's nodes together, in
	// bytes: NodesMemoryAuto for the host's memory less a reserve, 0 for
	// no cap. Their process ids are capped too, below the host's pid_max.
	NodesMemory int64
	// LimitDefaultParent puts the shared limits on the cgroup parent where
	// the engine puts every container by default (its cgroup-parent,
	// /docker unless set) instead of one of the instance's own: the host of
	// a cluster, whose swarm tasks cannot name a parent. Such a host runs
	// nothing else in containers.
	LimitDefaultParent bool
	// Isolation is IsolationUserns (the default) or IsolationUnsafeHostRoot;
	// see Engine.Mode.
	Isolation string
	// AgentArgs are extra arguments for the node agent, such as
	// "--registry-mirror", URL.
	AgentArgs []string
	// Runtime, when set, is the container runtime of the nodes (for example
	// "sysbox-runc", which runs Docker in Docker in a user namespace of its
	// own); the nodes then get neither --privileged nor the extra
	// capabilities, and Isolation does not apply.
	Runtime string
	// Disk is the size in bytes of each node's disk, which holds all the
	// node writes (its root's changes and its inner engine's data): 0
	// means DefaultDisk, DiskOff none (the node then writes to the host's
	// file system without a bound). See disk.go.
	Disk int64
	// DiskDir is the folder, on the engine's host, of the nodes' disk files.
	DiskDir string
	// RegistryImage, when set, is the image of the instance's registry,
	// which the nodes use as their mirror (registry.go).
	RegistryImage string
	// RegistryUpstream, with RegistryImage and EgressInternet, is the
	// registry whose pulls a cache on the host keeps (a second mirror of
	// the nodes): DefaultUpstream, or "" for no cache.
	RegistryUpstream string
	// Egress is EgressInternet (nodes reach what the host reaches) or
	// EgressNone (each session's network is internal: nodes reach only
	// each other; images come from the outer engine or a mirror on it).
	// Either way, the rules of egress.go keep nodes off the host, and off
	// private and link-local ranges but for EgressAllow.
	Egress string
	// EgressAllow are ranges the nodes may reach all the same (an
	// operator's own mirror, say).
	EgressAllow []netip.Prefix
	// LXCFSDir is where LXCFS is mounted on the engine's host, whose /proc
	// files nodes get over their own (lxcfs.go): DefaultLXCFSDir when
	// empty, LXCFSOff for none.
	LXCFSDir string
}

// LXCFSOff, as Config.LXCFSDir, gives nodes the host's /proc files.
const LXCFSOff = "off"

// withDefaults returns c with its zero fields set to the defaults.
func (c Config) withDefaults() Config {
	if c.NodeImage == "" {
		c.NodeImage = DefaultNodeImage
	}
	if c.Instance == "" {
		c.Instance = DefaultInstance
	}
	if c.Memory == 0 {
		c.Memory = DefaultMemory
	}
	if c.PidsLimit == 0 {
		c.PidsLimit = DefaultPidsLimit
	}
	if c.NanoCPUs == 0 {
		c.NanoCPUs = DefaultNanoCPUs
	}
	if c.Isolation == "" {
		c.Isolation = IsolationUserns
	}
	if c.Egress == "" {
		c.Egress = EgressInternet
	}
	if c.Disk == 0 {
		c.Disk = DefaultDisk
	}
	if c.DiskDir == "" {
		c.DiskDir = DefaultDiskDir
	}
	if c.LXCFSDir == "" {
		c.LXCFSDir = DefaultLXCFSDir
	}
	return c
}

// Validate reports whether the configuration (after defaults) is usable.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch c.Isolation {
	case IsolationUserns, IsolationUnsafeHostRoot:
	default:
		return fmt.Errorf("engine: node isolation %q is not %s or %s", c.Isolation, IsolationUserns, IsolationUnsafeHostRoot)
	}
	switch c.Egress {
	case EgressInternet, EgressNone:
	default:
		return fmt.Errorf("engine: egress %q is not internet or none", c.Egress)
	}
	if c.Memory < 64<<20 {
		return fmt.Errorf("engine: node memory %d is below 64 MiB", c.Memory)
	}
	if c.PidsLimit < 100 {
		return fmt.Errorf("engine: pids limit %d is below 100", c.PidsLimit)
	}
	if c.NodesMemory < NodesMemoryAuto || (c.NodesMemory > 0 && c.NodesMemory < c.Memory) {
		return fmt.Errorf("engine: the nodes' memory cap %d is below one node's memory %d", c.NodesMemory, c.Memory)
	}
	if c.Disk != DiskOff && c.Disk < MinDisk {
		return fmt.Errorf("engine: node disk %d is below %d MiB", c.Disk, MinDisk>>20)
	}
	if c.LXCFSDir != LXCFSOff && !filepath.IsAbs(c.LXCFSDir) {
		return fmt.Errorf("engine: LXCFS folder %q is not an absolute path or off", c.LXCFSDir)
	}
	if !filepath.IsAbs(c.DiskDir) {
		return fmt.Errorf("engine: disk folder %q is not an absolute path", c.DiskDir)
	}
	if c.NanoCPUs < 10_000_000 {
		return fmt.Errorf("engine: CPU quota %d is below 0.01 CPU", c.NanoCPUs)
	}
	if !validLabelValue(c.Instance) {
		return fmt.Errorf("engine: instance %q must be letters, digits, '.', '_' or '-'", c.Instance)
	}
	return nil
}

// Engine manages sessions on one Docker engine. It is safe for concurrent use.
type Engine struct {
	cli client.APIClient
	cfg Config
	log *slog.Logger

	// modeMu guards the cached node mode, empty until Mode has found it,
	// and diskOwner, the host's UID:GID of a node's root ("" for 0:0).
	modeMu    sync.Mutex
	mode      NodeMode
	diskOwner string
	// keepCapDrop: the engine needs nodeCapDrop (before Docker 25, "ALL"
	// asks for capabilities the host may lack).
	keepCapDrop bool

	// helperMu guards the id of the helper container (see helper.go);
	// empty until one is known to run.
	helperMu sync.Mutex
	helperID string

	// egressMu guards egressPool, the session pool whose egress rules
	// this engine installed (egress.go), to remove them on Close.
	egressMu   sync.Mutex
	egressPool netip.Prefix

	// lxcfsMu guards lxcfsOn: CheckLXCFS found LXCFS on the host.
	lxcfsMu sync.Mutex
	lxcfsOn bool

	// limitsMu guards the nodes' shared limits (limits_parent.go): off
	// once found impossible here, and parent, the cgroup parent of new
	// nodes (empty until set).
	limitsMu    sync.Mutex
	limitsOff   bool
	parent      string
	limited     string // the cgroup whose limits were written
	nodesMemory int64
}

// New returns an Engine that uses cli, which callers build with
// client.FromEnv and client.WithAPIVersionNegotiation. Zero fields of cfg
// take their defaults; call Config.Validate first to reject bad values.
func New(cli client.APIClient, cfg Config, log *slog.Logger) *Engine {
	if log == nil {
		log = slog.Default()
	}
	return &Engine{cli: cli, cfg: cfg.withDefaults(), log: log.With("component", "engine")}
}

// Config returns the engine's configuration with defaults applied.
func (e *Engine) Config() Config { return e.cfg }

// Ping checks that the Docker engine answers. It returns EUNAVAILABLE when
// it does not.
func (e *Engine) Ping(ctx context.Context) error {
	if _, err := e.cli.Ping(ctx); err != nil {
		return fault.Wrap(fault.EUNAVAILABLE, err, "The Docker engine is not reachable.")
	}
	return nil
}
