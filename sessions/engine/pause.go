package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/labplay/playground/fault"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
)

// nodeStopTimeout is how long a node's agent gets to stop its inner engine
// (it gives dockerd five seconds itself) before the node is killed.
const nodeStopTimeout = 15

// StopNode stops a node container, keeping it and its disk: its agent
// stops the inner engine cleanly (SIGTERM, then SIGKILL after
// nodeStopTimeout seconds), so that its images, containers, volumes and
// swarm state are on the disk as they were, and StartNode brings them
// back. A node that is not running, or gone, is fine.
func (e *Engine) StopNode(ctx context.Context, containerID string) error {
	timeout := nodeStopTimeout
	err := e.cli.ContainerStop(ctx, containerID, container.StopOptions{Timeout: &timeout})
	if err == nil || cerrdefs.IsNotFound(err) || cerrdefs.IsNotModified(err) {
		return nil
	}
	return engineError(err, "stop container "+containerID)
}

// NodesMemoryUse returns the memory the instance's nodes use together on the
// host, read from their parent cgroup (limits_parent.go): anon is the
// memory of their processes, which a stopped node gives back at once, and
// usage the cgroup's whole charge, page cache included. Without a shared
// parent (the limits are off) it is EUNAVAILABLE.
func (e *Engine) NodesMemoryUse(ctx context.Context) (anon, usage uint64, err error) {
	if err := e.EnsureLimits(ctx); err != nil {
		return 0, 0, err
	}
	e.limitsMu.Lock()
	parent := e.parent
	e.limitsMu.Unlock()
	if parent == "" {
		return 0, 0, fault.Errorf(fault.EUNAVAILABLE, "The nodes share no parent cgroup on this engine.")
	}
	// cgroup v2 has one hierarchy at the root, v1 one per controller.
	v2, v1 := helperCgroupDir+parent, helperCgroupDir+"/memory"+parent
	script := `if [ -f "$1/memory.current" ]; then cat "$1/memory.current"; grep '^anon ' "$1/memory.stat";
else cat "$2/memory.usage_in_bytes"; grep '^total_rss ' "$2/memory.stat"; fi`
	out, code, err := e.inHelper(ctx, []string{"sh", "-c", script, "sh", v2, v1})
	if err != nil {
		return 0, 0, err
	}
	lines := strings.Fields(out)
	if code != 0 || len(lines) != 3 {
		return 0, 0, fmt.Errorf("engine: read the nodes' memory: exit %d: %s", code, nodeText(out))
	}
	usage, err1 := strconv.ParseUint(lines[0], 10, 64)
	anon, err2 := strconv.ParseUint(lines[2], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("engine: read the nodes' memory: exit %d: %s", code, nodeText(out))
	}
	return anon, usage, nil
}
