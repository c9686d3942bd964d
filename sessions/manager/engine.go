package manager

import (
	"context"
	"io"
	"net"
	"net/netip"
	"time"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/agent"
	"github.com/labplay/playground/sessions/engine"
)

// Engine is what the manager needs of the room that runs the nodes: one
// Docker engine (*engine.Engine), or a swarm of hosts (*cluster.Cluster).
// Container ids are opaque here: the manager stores them and hands them
// back, and only the engine that made one reads it.
type Engine interface {
	Config() engine.Config
	Ping(ctx context.Context) error

	CreateSession(ctx context.Context, sessionID string, subnet netip.Prefix, names []string) ([]engine.Node, error)
	RemoveSession(ctx context.Context, sessionID string) error
	AddNode(ctx context.Context, sessionID string, subnet netip.Prefix, name string) (engine.Node, error)
	RemoveNode(ctx context.Context, sessionID, name string) error
	List(ctx context.Context) (map[string][]engine.Node, error)

	NodeRunning(ctx context.Context, containerID string) (bool, error)
	WaitReady(ctx context.Context, containerID string) error
	StartNode(ctx context.Context, containerID string) error
	StopNode(ctx context.Context, containerID string) error

	Exec(ctx context.Context, containerID, script string, timeout time.Duration) (output string, exitCode int, err error)
	Attach(ctx context.Context, containerID string, req agent.AttachRequest) (*engine.Stream, error)
	WriteFile(ctx context.Context, containerID, path string, size int64, content io.Reader) (sessions.FileInfo, error)
	StatFile(ctx context.Context, containerID, path string) (sessions.FileInfo, error)
	ReadFile(ctx context.Context, containerID, abs string, w io.Writer) error
	Ports(ctx context.Context, containerID string) ([]int, error)
	DialPort(ctx context.Context, containerID string, port int) (net.Conn, error)
	LoadImage(ctx context.Context, containerIDs []string, image string) error

	EnsureLimits(ctx context.Context) error
	SweepDisks(ctx context.Context) (int, error)
}

var _ Engine = (*engine.Engine)(nil)
