package engine

import (
	"context"
	"fmt"
	"strconv"

	"github.com/labplay/playground/sessions"
)

// All the nodes of an instance sit in one parent cgroup whose limits keep
// memory and process ids for the host itself (see sessions/agent/limit.go):
// a class of memory hogs or fork bombs meets the kernel's limit inside the
// nodes, never the host's OOM killer on Postgres, dockerd or the server.
const (
	// NodesMemoryAuto asks for the host's memory less hostMemoryReserve.
	NodesMemoryAuto = -1
	// minHostMemoryReserve and hostMemoryShare: the host keeps the larger
	// of 2 GiB and a tenth of its memory.
	minHostMemoryReserve = 2 << 30
	hostMemoryShare      = 10
	// hostPidsReserve is how many of the kernel's process ids stay out of
	// the nodes' reach (pid_max is 32768 on many hosts, less than 20
	// sessions of three nodes at 2000 processes each).
	hostPidsReserve = 4096
)

// parentCgroup returns the nodes' parent cgroup of an instance.
func parentCgroup(instance string) string { return "/playground-" + instance }

// EnsureLimits makes the instance's parent cgroup and writes its limits,
// once per Engine; a failure is tried again on the next call. With a cgroup
// driver other than cgroupfs (where parents are systemd slices) the nodes
// keep the engine's default parent, without a shared limit, and a warning
// says so.
func (e *Engine) EnsureLimits(ctx context.Context) error {
	e.limitsMu.Lock()
	defer e.limitsMu.Unlock()
	if e.limitsDone {
		return nil
	}
	info, err := e.cli.Info(ctx)
	if err != nil {
		return engineError(err, "read the engine's settings")
	}
	if info.CgroupDriver != "cgroupfs" {
		e.log.Warn("the nodes share no memory and pids limit: the engine's cgroup driver is not cgroupfs", "driver", info.CgroupDriver)
		e.limitsDone = true
		return nil
	}
	memory := e.cfg.NodesMemory
	if memory == NodesMemoryAuto {
		memory = info.MemTotal - max(minHostMemoryReserve, info.MemTotal/hostMemoryShare)
	}
	if memory < 0 || (memory > 0 && memory < e.cfg.Memory) {
		return sessions.Errorf(sessions.EUNAVAILABLE, "The nodes' memory cap (%d MiB) is below one node's limit (%d MiB).", memory>>20, e.cfg.Memory>>20)
	}
	path := parentCgroup(e.cfg.Instance)
	cmd := []string{"playground", "node", "limit", "--root", helperCgroupDir, "--path", path,
		"--memory", strconv.FormatInt(memory, 10), "--pids-reserve", strconv.Itoa(hostPidsReserve)}
	out, code, err := e.inHelper(ctx, cmd)
	if err != nil {
		return err
	}
	if code != 0 {
		cause := fmt.Errorf("node limit exited with %d: %s", code, nodeText(out))
		return sessions.Wrap(sessions.EUNAVAILABLE, cause, "The nodes' shared limits could not be set.")
	}
	e.parent = path
	e.limitsDone = true
	e.log.Info("nodes' shared limits set", "cgroup", path, "memory_mib", memory>>20, "host_pids_reserve", hostPidsReserve)
	return nil
}
