package agent

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Like delegation, this runs on the host side: in the helper container to
// check, and from the set-up (as root on the engine's host) to apply.
//
// Under --userns-remap every node's root is one host uid, and a node's
// user namespaces are owned by the host's root, so each quota the kernel
// keeps per host user is shared by all the nodes of the host (and, for
// those kept per user namespace owner, by the host's own root services
// too): one node that uses it up stops everyone. Each such quota is made
// one of three things, and SharedLimits lists the third kind:
//
//   - private to a node: the kernel counts it per user namespace and
//     checks only the node's own count against the process's rlimit
//     (RLIMIT_NPROC, RLIMIT_MSGQUEUE, RLIMIT_SIGPENDING, RLIMIT_MEMLOCK's
//     mlock and shm part since Linux 5.14), or per IPC namespace (POSIX
//     message queues' count and size);
//   - out of a node's reach: a system call the node's seccomp profile
//     refuses (keys, io_uring, perf_event_open; sessions/engine/seccomp.go);
//   - sized: a count whose every unit costs kernel memory charged to the
//     memory cgroup of the node that made it. The nodes together can never
//     hold more kernel memory than the host has (their shared cgroup caps
//     them below it), so a limit of at least the host's memory divided by
//     the least a unit costs is one no node can reach: the node's own
//     memory limit stops it first, and the kernel kills or refuses inside
//     that node only. The keys the runtime makes for nodes are sized too.

// SharedLimit is a kernel limit that every node of a host shares, sized so
// that no node can reach it (see above).
type SharedLimit struct {
	// Sysctl is the setting's name, e.g. fs.inotify.max_user_instances.
	Sysctl string
	// Counted says what the kernel counts it against.
	Counted string
	// Cost is the least kernel memory, in bytes, one unit costs the node
	// that holds it (measured here about twice as much, see the README);
	// the limit needed is the host's memory divided by it.
	Cost int64
	// Advisory limits are only warned about when short: raising them
	// takes CAP_SYS_RESOURCE, which root lacks on some hosts (in a
	// container, in some sandboxes); see the README.
	Advisory bool
}

// Path returns the setting's file under a /proc.
func (l SharedLimit) Path(procRoot string) string {
	return filepath.Join(procRoot, "sys", strings.ReplaceAll(l.Sysctl, ".", "/"))
}

// Needed returns the least value of the limit on a host with memTotal
// bytes of memory. It is at most the largest value every one of these
// settings takes (math.MaxInt32), which the nodes of a host with less than
// 128 GiB never reach even at the cheapest cost.
func (l SharedLimit) Needed(memTotal int64) int64 {
	return min(max(memTotal/l.Cost, 1), math.MaxInt32)
}

const (
	perUID   = "host uid of all nodes' root"
	perOwner = "host root (owns the nodes' user namespaces)"
	global   = "the whole host"
)

// SharedLimits are the limits sized to the host's memory.
var SharedLimits = []SharedLimit{
	// Keys: learners cannot make any (seccomp); runc makes a session
	// keyring for each node and for each exec while it runs, charged to
	// the node's host uid. A node costs the host more than 30 MiB, so one
	// key per MiB is far more than the nodes ever hold.
	{Sysctl: "kernel.keys.maxkeys", Counted: perUID, Cost: 1 << 20},
	{Sysctl: "kernel.keys.maxbytes", Counted: perUID, Cost: 1 << 13}, // 128 bytes a key
	{Sysctl: "fs.inotify.max_user_instances", Counted: perOwner, Cost: 512},
	{Sysctl: "fs.inotify.max_user_watches", Counted: perOwner, Cost: 64},
	{Sysctl: "fs.fanotify.max_user_groups", Counted: perOwner, Cost: 512},
	{Sysctl: "fs.fanotify.max_user_marks", Counted: perOwner, Cost: 64},
	{Sysctl: "fs.epoll.max_user_watches", Counted: perUID, Cost: 128},
	// A pipe counts its 16 buffer slots as pages when it is made, before
	// any page is used: about 120 bytes a counted page.
	{Sysctl: "fs.pipe-user-pages-soft", Counted: perUID, Cost: 64},
	// Namespaces a node makes (its inner engine makes five or six for
	// each container) count against the host root, which owns the node's
	// user namespace; a node may not make user namespaces of its own.
	{Sysctl: "user.max_pid_namespaces", Counted: perOwner, Cost: 1 << 10, Advisory: true},
	{Sysctl: "user.max_uts_namespaces", Counted: perOwner, Cost: 512, Advisory: true},
	{Sysctl: "user.max_ipc_namespaces", Counted: perOwner, Cost: 2 << 10, Advisory: true},
	{Sysctl: "user.max_mnt_namespaces", Counted: perOwner, Cost: 4 << 10, Advisory: true},
	{Sysctl: "user.max_net_namespaces", Counted: perOwner, Cost: 32 << 10, Advisory: true},
	{Sysctl: "user.max_cgroup_namespaces", Counted: perOwner, Cost: 512, Advisory: true},
	{Sysctl: "user.max_time_namespaces", Counted: perOwner, Cost: 512, Advisory: true},
	{Sysctl: "fs.file-max", Counted: global, Cost: 256},
	{Sysctl: "fs.aio-max-nr", Counted: global, Cost: 32},
}

// LimitState is one shared limit as found on a host.
type LimitState struct {
	SharedLimit
	// Now is the current value; -1 when the kernel has no such setting.
	Now, Needed int64
}

// Short reports whether the limit is below what the host needs.
func (s LimitState) Short() bool { return s.Now >= 0 && s.Now < s.Needed }

// Blocking reports whether the limit is short and not advisory.
func (s LimitState) Blocking() bool { return s.Short() && !s.Advisory }

// ReadSharedLimits reads every shared limit and the host's memory under
// procRoot (the host's /proc).
func ReadSharedLimits(procRoot string) ([]LimitState, error) {
	mem, err := memTotal(procRoot)
	if err != nil {
		return nil, err
	}
	states := make([]LimitState, len(SharedLimits))
	for i, l := range SharedLimits {
		states[i] = LimitState{SharedLimit: l, Now: -1, Needed: l.Needed(mem)}
		b, err := os.ReadFile(l.Path(procRoot))
		if errors.Is(err, os.ErrNotExist) {
			continue // an older kernel, or one built without it
		}
		if err != nil {
			return nil, err
		}
		n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", l.Sysctl, err)
		}
		states[i].Now = n
	}
	return states, nil
}

// ApplySharedLimits raises every shared limit that is short to what the
// host needs (it never lowers one) and returns the states it found, with
// Now updated. It needs root on the host; an advisory limit it may not
// raise is left short without an error.
func ApplySharedLimits(procRoot string) ([]LimitState, error) {
	states, err := ReadSharedLimits(procRoot)
	if err != nil {
		return nil, err
	}
	var errs []error
	for i, s := range states {
		if !s.Short() {
			continue
		}
		if err := os.WriteFile(s.Path(procRoot), []byte(strconv.FormatInt(s.Needed, 10)), 0o644); err != nil {
			if !s.Advisory || !errors.Is(err, os.ErrPermission) {
				errs = append(errs, fmt.Errorf("%s: %w", s.Sysctl, err))
			}
			continue
		}
		states[i].Now = s.Needed
	}
	return states, errors.Join(errs...)
}

// SysctlConf returns a sysctl.d file that sets the limits again at boot.
func SysctlConf(states []LimitState) string {
	var b strings.Builder
	b.WriteString("# Written by `playground node host-limits --apply`: the kernel limits every\n")
	b.WriteString("# playground node shares, sized to this host's memory (see the README's Security).\n")
	for _, s := range states {
		if s.Now >= 0 {
			fmt.Fprintf(&b, "%s = %d\n", s.Sysctl, max(s.Now, s.Needed))
		}
	}
	return b.String()
}

// WriteLimitsTable prints the states as a table.
func WriteLimitsTable(w io.Writer, states []LimitState) {
	fmt.Fprintf(w, "%-30s %-44s %10s %10s  %s\n", "limit", "counted per", "now", "needs", "state")
	for _, s := range states {
		state, now := "ok", strconv.FormatInt(s.Now, 10)
		switch {
		case s.Now < 0:
			state, now = "absent", "-"
		case s.Blocking():
			state = "TOO LOW"
		case s.Short():
			state = "low (advisory)"
		}
		fmt.Fprintf(w, "%-30s %-44s %10s %10d  %s\n", s.Sysctl, s.Counted, now, s.Needed, state)
	}
}

// ShortLimits returns the limits that are short, blocking or advisory, as
// "name=now (needs needed)".
func ShortLimits(states []LimitState, advisory bool) []string {
	var short []string
	for _, s := range states {
		if s.Short() && s.Advisory == advisory {
			short = append(short, fmt.Sprintf("%s=%d (needs %d)", s.Sysctl, s.Now, s.Needed))
		}
	}
	return short
}

// memTotal reads the host's memory in bytes from procRoot/meminfo.
func memTotal(procRoot string) (int64, error) {
	f, err := os.Open(filepath.Join(procRoot, "meminfo"))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("meminfo: %w", err)
			}
			return kib << 10, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("meminfo has no MemTotal")
}
