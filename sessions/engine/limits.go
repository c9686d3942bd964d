package engine

import "time"

// Label keys put on every container and network the engine creates. The
// instance label separates deployments that share one Docker engine; the
// session and node labels say what a resource belongs to.
const (
	LabelInstance = "playground.instance"
	LabelSession  = "playground.session"
	LabelNode     = "playground.node"
	// LabelProbe marks the throwaway container of privilege detection.
	LabelProbe = "playground.probe"
	// LabelHelper marks the host-side helper container (see helper.go).
	LabelHelper = "playground.helper"
)

// Defaults for Config fields left at their zero value.
const (
	DefaultNodeImage = "playground-node:latest"
	DefaultInstance  = "default"
	DefaultMemory    = 1 << 30 // bytes per node
	DefaultPidsLimit = 2000
	DefaultNanoCPUs  = 1_000_000_000 // one CPU
)

// Isolation settings accepted in Config.Isolation.
const (
	// IsolationUserns runs nodes in the engine's user namespace (the
	// default): the engine must remap users, or a Runtime must isolate.
	IsolationUserns = "userns"
	// IsolationUnsafeHostRoot runs nodes as the host's root: privileged,
	// or with every capability. Only for trusted learners.
	IsolationUnsafeHostRoot = "unsafe-host-root"
)

// Egress modes accepted in Config.Egress.
const (
	EgressInternet = "internet"
	EgressNone     = "none"
)

// Names and paths inside and around the node containers.
const (
	// NamePrefix starts the name of every network and container.
	NamePrefix = "pg-"
	// shortIDLen is how many characters of a session id appear in names.
	shortIDLen = 12
	// dockerDataDir is the inner engine's data root; it gets an anonymous
	// volume so the inner engine runs overlay2 on the host's file system.
	dockerDataDir = "/var/lib/docker"
	// probeEntrypoint is a command that exits at once, used by the probe.
	probeEntrypoint = "/bin/true"
)

// Commands run inside a node.
var (
	// agentAttachCmd relays a terminal between the exec's stdio and the agent.
	agentAttachCmd = []string{"playground", "node", "attach"}
	// agentWaitCmd blocks until the node's inner Docker engine answers.
	agentWaitCmd = []string{"playground", "node", "wait", "--timeout", "60s"}
	// dockerLoadCmd reads an image archive on stdin into the inner engine.
	dockerLoadCmd = []string{"docker", "load", "--quiet"}
)

// Limits and timeouts.
const (
	// MaxExecOutput caps the combined output Exec returns.
	MaxExecOutput = 64 << 10
	// MaxExecTimeout is the longest timeout Exec accepts.
	MaxExecTimeout = 10 * time.Minute
	// waitReadyTimeout bounds WaitReady; the agent gives up after 60 s itself.
	waitReadyTimeout = 75 * time.Second
	// killGrace is how long after the caller's timeout the node kills a
	// command that Exec has abandoned.
	killGrace = time.Second
	// loadTimeout bounds LoadImage for one node.
	loadTimeout = 10 * time.Minute
	// cleanupTimeout bounds the removal of a half-created session.
	cleanupTimeout = 60 * time.Second
	// probeTimeout bounds privilege detection.
	probeTimeout = 60 * time.Second
	// streamWriteTimeout bounds one write of a frame to a node's relay.
	streamWriteTimeout = 10 * time.Second
	// maxStderrLog caps one logged chunk of a relay's stderr.
	maxStderrLog = 1024
	// reservedAddrs is the number of addresses a subnet must keep free besides
	// the nodes: network, gateway and broadcast.
	reservedAddrs = 3
)

// Container log limits, so a chatty agent cannot fill the host's disk.
const (
	logDriver   = "json-file"
	logMaxSize  = "1m"
	logMaxFiles = "2"
)

// Security settings of a node that is not --privileged (see Mode): every
// capability but SYS_RESOURCE (which hosts such as a restricted VM lack),
// no AppArmor profile, and a seccomp profile that allows all but the few
// calls whose quota every node shares (seccomp.go), for the nested engine. The CLI's
// "--security-opt systempaths=unconfined" is not an engine option: it is
// empty (not absent) masked and read-only path lists, which securityConfig
// sets.
var (
	nodeCapAdd      = []string{"ALL"}
	nodeCapDrop     = []string{"SYS_RESOURCE"}
	nodeSecurityOpt = []string{"seccomp=" + nodeSeccomp, "apparmor=unconfined"}
)
