package engine

import (
	"context"
	"path"

	"github.com/docker/docker/api/types/mount"
)

// A node tells the truth about itself: LXCFS, a FUSE file system run on
// the engine's host (Debian's lxcfs package, started by the set-up with
// --enable-cfs), serves /proc files that show the memory and CPUs of the
// cgroup of whoever reads them. Bound over a node's own, `free`, `top`,
// /proc/meminfo and the inner engine's `docker info` show the node's
// memory limit, and /proc/cpuinfo, /proc/stat and the online CPUs (what
// getconf, lscpu and the node image's nproc read) its CPU quota, instead
// of the host's.

// DefaultLXCFSDir is where lxcfs is mounted on the engine's host.
const DefaultLXCFSDir = "/var/lib/lxcfs"

// lxcfsFiles are the files bound into each node from the LXCFS mount, by
// their path inside it, which is also their path in the node.
var lxcfsFiles = []string{
	"/proc/cpuinfo", "/proc/diskstats", "/proc/loadavg", "/proc/meminfo",
	"/proc/stat", "/proc/swaps", "/proc/uptime",
	"/sys/devices/system/cpu/online",
}

// lxcfsMounts returns the bind mounts of a node's LXCFS files, or none
// when CheckLXCFS found no LXCFS.
func (e *Engine) lxcfsMounts() []mount.Mount {
	e.lxcfsMu.Lock()
	on := e.lxcfsOn
	e.lxcfsMu.Unlock()
	if !on {
		return nil
	}
	var ms []mount.Mount
	for _, f := range lxcfsFiles {
		ms = append(ms, mount.Mount{Type: mount.TypeBind, Source: path.Join(e.cfg.LXCFSDir, f), Target: f, ReadOnly: true})
	}
	return ms
}

// CheckLXCFS looks for LXCFS on the engine's host, through the helper,
// and turns the nodes' LXCFS files on when it answers. Without it nodes
// still run, showing the host's memory and CPUs, and a warning says how to
// fix that. It is off in the runtime mode (Sysbox virtualises /proc
// itself) and when Config.LXCFSDir is LXCFSOff.
func (e *Engine) CheckLXCFS(ctx context.Context) {
	if e.cfg.LXCFSDir == LXCFSOff || e.cfg.Runtime != "" {
		return
	}
	err := e.inHelperOK(ctx, []string{"grep", "-q", "^MemTotal:", helperLXCFSDir + "/proc/meminfo"})
	e.lxcfsMu.Lock()
	e.lxcfsOn = err == nil
	e.lxcfsMu.Unlock()
	if err != nil {
		e.log.Warn("no LXCFS on the engine's host: nodes show the host's memory and CPUs in free, /proc/meminfo and docker info (start lxcfs --enable-cfs "+e.cfg.LXCFSDir+"; make run does)", "err", err)
		return
	}
	e.log.Info("LXCFS found: nodes show their own memory and CPUs", "dir", e.cfg.LXCFSDir)
}
