package engine

import (
	"context"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/labplay/playground/fault"
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
	// SessionMemoryBudget is what one session is counted to cost when the
	// host's capacity is worked out (Capacity), whatever its number of
	// nodes: it was measured on idle sessions without a lab (three nodes,
	// as the built-in Swarm lab has), which cost the nodes 123 MiB and
	// the host 133 MiB with their runtime shims (make capacity, see the
	// README's Figures); half as much again leaves room for the labs' own
	// containers. A session of five nodes costs more, one of one node less.
	SessionMemoryBudget = 192 << 20
	// hostPidsReserve is how many of the kernel's process ids stay out of
	// the nodes' reach (pid_max is 32768 on many hosts, less than 20
	// sessions of three nodes at 2000 processes each).
	hostPidsReserve = 4096
)

// parentCgroup returns the nodes' parent cgroup of an instance.
func parentCgroup(instance string) string { return "/playground-" + instance }

// EnsureLimits makes the instance's parent cgroup and writes its limits.
// It runs before every session start (one exec in the helper): the parent
// may have gone meanwhile (another process of the instance removed it when
// it stopped, or the engine's host rebooted), and the engine would make it
// again without limits. With a cgroup driver other than cgroupfs (where
// parents are systemd slices), or when the limits cannot be written (a host
// without the memory or pids controller), the nodes keep the engine's
// default parent, without a shared limit, and a warning says so once.
func (e *Engine) EnsureLimits(ctx context.Context) error {
	e.limitsMu.Lock()
	defer e.limitsMu.Unlock()
	if e.limitsOff {
		return nil
	}
	info, err := e.cli.Info(ctx)
	if err != nil {
		return engineError(err, "read the engine's settings")
	}
	off := func(why string, attrs ...any) error {
		e.log.Warn("the nodes share no memory and pids limit: "+why, attrs...)
		e.limitsOff, e.parent = true, ""
		e.nodesMemory = info.MemTotal - max(minHostMemoryReserve, info.MemTotal/hostMemoryShare)
		return nil
	}
	if info.CgroupDriver != "cgroupfs" {
		return off("the engine's cgroup driver is not cgroupfs", "driver", info.CgroupDriver)
	}
	memory := e.cfg.NodesMemory
	if memory == NodesMemoryAuto {
		memory = info.MemTotal - max(minHostMemoryReserve, info.MemTotal/hostMemoryShare)
		if memory < e.cfg.Memory {
			e.log.Warn("the host is small: the nodes' shared memory cap is one node's limit", "host_mib", info.MemTotal>>20, "node_mib", e.cfg.Memory>>20)
			memory = e.cfg.Memory
		}
	}
	cg := parentCgroup(e.cfg.Instance)
	if e.cfg.LimitDefaultParent {
		if cg, err = e.defaultParent(ctx); err != nil {
			return err
		}
		if cg == "/" {
			return off("the engine puts its containers in the root cgroup (set a cgroup-parent)")
		}
	}
	cmd := []string{"playground", "node", "limit", "--root", helperCgroupDir, "--path", cg,
		"--memory", strconv.FormatInt(memory, 10), "--pids-reserve", strconv.Itoa(hostPidsReserve)}
	out, code, err := e.inHelper(ctx, cmd)
	if err != nil {
		return err
	}
	if code != 0 {
		return off("they could not be written", "output", nodeText(out))
	}
	if e.limited != cg {
		e.log.Info("nodes' shared limits set", "cgroup", cg, "memory_mib", memory>>20, "host_pids_reserve", hostPidsReserve)
	}
	e.limited, e.nodesMemory = cg, memory
	if !e.cfg.LimitDefaultParent {
		e.parent = cg // new nodes go there; the default parent they reach by themselves
	}
	if memory == 0 { // no cap: the host's memory less its reserve all the same
		e.nodesMemory = info.MemTotal - max(minHostMemoryReserve, info.MemTotal/hostMemoryShare)
	}
	return nil
}

// NodesMemory returns the memory all the nodes may use together, as
// EnsureLimits last set it: the host's memory less its reserve for
// NodesMemoryAuto. Without a shared cap it is the host's memory less the
// same reserve, which the host's own services need all the same.
func (e *Engine) NodesMemory() int64 {
	e.limitsMu.Lock()
	defer e.limitsMu.Unlock()
	return e.nodesMemory
}

// Capacity returns how many live sessions the nodes' memory holds at
// SessionMemoryBudget each, at least one.
func (e *Engine) Capacity() int {
	return max(int(e.NodesMemory()/SessionMemoryBudget), 1)
}

// defaultParent returns the cgroup parent of the engine's containers that
// name none: the parent of the helper's own cgroup (the helper shares the
// host's cgroup namespace), read in its memory hierarchy on cgroup v1 and
// in the unified one on v2.
func (e *Engine) defaultParent(ctx context.Context) (string, error) {
	out, code, err := e.inHelper(ctx, []string{"cat", "/proc/self/cgroup"})
	if err != nil {
		return "", err
	}
	if code != 0 {
		return "", fault.Errorf(fault.EINTERNAL, "The helper could not read its cgroup: %s", nodeText(out))
	}
	own, ok := ownCgroup(out)
	if !ok {
		return "", fault.Errorf(fault.EINTERNAL, "The helper's cgroup has neither a memory nor a unified hierarchy: %s", nodeText(out))
	}
	return path.Dir(own), nil
}

// ownCgroup returns the path of a /proc/PID/cgroup in the memory hierarchy
// (cgroup v1), or else in the unified one (v2).
func ownCgroup(procCgroup string) (string, bool) {
	unified := ""
	for _, line := range strings.Split(procCgroup, "\n") {
		parts := strings.SplitN(strings.TrimSpace(line), ":", 3)
		if len(parts) != 3 || !strings.HasPrefix(parts[2], "/") {
			continue
		}
		if slices.Contains(strings.Split(parts[1], ","), "memory") {
			return parts[2], true
		}
		if parts[0] == "0" && parts[1] == "" {
			unified = parts[2]
		}
	}
	return unified, unified != ""
}
