package agent

import (
	"log/slog"
	"os"
	"time"

	"github.com/labplay/playground/fault"
)

// Default paths inside a node.
const (
	// DefaultSocket is where the agent listens for terminal connections.
	DefaultSocket = "/run/playground/agent.sock"
	// DefaultDockerSocket is the inner engine's API socket.
	DefaultDockerSocket = "/var/run/docker.sock"
	// DefaultDockerdLog receives dockerd's output.
	DefaultDockerdLog = "/var/log/dockerd.log"
	// DefaultMaxTerminals bounds the terminals one node runs.
	DefaultMaxTerminals = 8
)

// Config is everything the agent needs; DefaultConfig gives the values used
// inside a node.
type Config struct {
	// Socket is the unix socket terminal clients connect to.
	Socket string
	// Terminal describes the shells.
	Terminal TerminalOptions
	// MaxTerminals bounds the number of terminals.
	MaxTerminals int
	// WriteGrace bounds the last writes to a connection being closed.
	WriteGrace time.Duration
	// ManageCgroups makes the cgroup tree writable for the nested engine.
	ManageCgroups bool
	// LiftProcMasks unmounts Docker's masks on /proc and /sys at start
	// (masks.go), for a node made by a swarm service, which cannot turn
	// them off.
	LiftProcMasks bool
	// RunDockerd starts and supervises the node's Docker engine.
	RunDockerd bool
	// Dockerd configures the engine when RunDockerd is set.
	Dockerd DockerdOptions
	// ReapOrphans makes the agent reap every child, as PID 1 must.
	ReapOrphans bool
	// DiskDir is where the engine mounts the node's disk; when one is
	// mounted there, the agent first moves the node's root onto it (see
	// rootdisk.go). Empty skips the check.
	DiskDir string
	// Log receives the agent's logs; nil means slog.Default().
	Log *slog.Logger
}

// DefaultConfig returns the configuration of the agent inside a node: bash as
// a login shell in /root, dockerd supervised, cgroups prepared, and orphans
// reaped when the agent is PID 1.
func DefaultConfig() Config {
	return Config{
		Socket: DefaultSocket,
		Terminal: TerminalOptions{
			Shell:      []string{"bash", "-l"},
			Dir:        "/root",
			Env:        []string{"TERM=xterm-256color", "HOME=/root", "LANG=C.UTF-8"},
			Scrollback: DefaultScrollback,
			Backlog:    DefaultBacklog,
		},
		MaxTerminals:  DefaultMaxTerminals,
		WriteGrace:    5 * time.Second,
		ManageCgroups: true,
		RunDockerd:    true,
		Dockerd: DockerdOptions{
			Path:    "dockerd",
			Socket:  DefaultDockerSocket,
			PidFile: "/var/run/docker.pid",
			// The containerd that dockerd starts keeps its pid here; after a
			// node restart that pid may belong to another process, and
			// dockerd would wait for a containerd that is not there.
			StaleFiles:  []string{"/var/run/docker/containerd/containerd.pid"},
			LogPath:     DefaultDockerdLog,
			StopTimeout: 5 * time.Second,
		},
		ReapOrphans: os.Getpid() == 1,
		DiskDir:     DefaultDiskDir,
	}
}

// check reports the first setting that cannot work.
func (c *Config) check() error {
	switch {
	case c.Socket == "":
		return fault.Errorf(fault.EINVALID, "agent socket path is empty")
	case len(c.Terminal.Shell) == 0 || c.Terminal.Shell[0] == "":
		return fault.Errorf(fault.EINVALID, "shell command is empty")
	case c.Terminal.Scrollback < MinScrollback:
		return fault.Errorf(fault.EINVALID, "scrollback must be at least %d bytes", MinScrollback)
	case c.Terminal.Backlog < 1:
		return fault.Errorf(fault.EINVALID, "client backlog must be positive")
	case c.MaxTerminals < 1:
		return fault.Errorf(fault.EINVALID, "max terminals must be positive")
	case c.WriteGrace <= 0:
		return fault.Errorf(fault.EINVALID, "write grace must be positive")
	case c.RunDockerd && (c.Dockerd.Path == "" || c.Dockerd.Socket == ""):
		return fault.Errorf(fault.EINVALID, "dockerd path and socket are required")
	}
	return nil
}
