package engine

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/docker/docker/api/types/container"
)

// NodeStats is a snapshot of a node container's resource use.
type NodeStats struct {
	Name        string
	ContainerID string
	// Memory is the memory in use the way "docker stats" counts it: the
	// cgroup's usage less its inactive file cache.
	Memory uint64
	// MemoryLimit is the cgroup's memory limit.
	MemoryLimit uint64
	// Pids is the number of processes in the node.
	Pids uint64
}

// Stats returns one snapshot of every running node of a session, sorted by
// node name.
func (e *Engine) Stats(ctx context.Context, sessionID string) ([]NodeStats, error) {
	nodes, err := e.Nodes(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	out := make([]NodeStats, len(nodes))
	errs := make([]error, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		out[i] = NodeStats{Name: n.Name, ContainerID: n.ContainerID}
		if !n.Running {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = e.statsOf(ctx, &out[i])
		}()
	}
	wg.Wait()
	if err := firstCoded(errs); err != nil {
		return nil, err
	}
	return out, nil
}

// statsOf fills in ns from a one-shot stats sample of its container.
func (e *Engine) statsOf(ctx context.Context, ns *NodeStats) error {
	resp, err := e.cli.ContainerStatsOneShot(ctx, ns.ContainerID)
	if err != nil {
		return engineError(err, "stats of "+ns.ContainerID)
	}
	defer resp.Body.Close()
	var st container.StatsResponse
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return engineError(err, "decode stats of "+ns.ContainerID)
	}
	ns.Memory = workingSet(st.MemoryStats)
	ns.MemoryLimit = st.MemoryStats.Limit
	ns.Pids = st.PidsStats.Current
	return nil
}

// workingSet returns memory usage less inactive file cache, as the Docker
// CLI computes it for cgroup v1 ("total_inactive_file") and v2
// ("inactive_file").
func workingSet(m container.MemoryStats) uint64 {
	inactive, ok := m.Stats["total_inactive_file"]
	if !ok {
		inactive = m.Stats["inactive_file"]
	}
	if inactive > m.Usage {
		return m.Usage
	}
	return m.Usage - inactive
}
