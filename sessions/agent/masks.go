package agent

import (
	"bufio"
	"errors"
	"log/slog"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// procMasks are the paths Docker masks or makes read-only in a container
// unless told otherwise (its default MaskedPaths and ReadonlyPaths). A
// node's inner engine needs them as a plain mount shows them: it writes
// /proc/sys for its containers' network settings, and mounts proc, which a
// user namespace allows only where no part of it is hidden. A node made as
// a container gets empty lists; one made by a swarm service cannot (the
// service has no such setting), so the agent lifts them itself.
var procMasks = []string{
	"/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys",
	"/proc/latency_stats", "/proc/sched_debug", "/proc/scsi", "/proc/timer_list",
	"/proc/timer_stats", "/sys/devices/virtual/powercap", "/sys/firmware",
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
}

// LiftProcMasks unmounts, in a node that runs in a user namespace, the
// masks of procMasks that are there; it is a no-op in a node made without
// them. What the kernel keeps hidden from a user namespace stays hidden:
// lifting a mask gives the node's root nothing the namespace does not.
func LiftProcMasks(log *slog.Logger) {
	mounted, err := mountPoints()
	if err != nil {
		log.Warn("read the node's mounts; masked /proc paths stay", "err", err)
		return
	}
	var lifted []string
	for _, p := range procMasks {
		// A path may be mounted more than once (read-only over a bind).
		for mounted[p] > 0 {
			if err := unix.Unmount(p, unix.MNT_DETACH); err != nil {
				log.Warn("lift a masked path; nested containers may fail", "path", p, "err", err)
				break
			}
			mounted[p]--
			lifted = append(lifted, p)
		}
	}
	if len(lifted) > 0 {
		log.Info("lifted the masks on /proc and /sys", "paths", lifted)
	}
}

// mountPoints counts the mounts at each mount point of the agent's mount
// namespace.
func mountPoints() (map[string]int, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			return nil, errors.New("a line of mountinfo has too few fields")
		}
		out[unescapeMount(fields[4])]++
	}
	return out, sc.Err()
}
