package agent

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// delegationWait bounds how long the agent waits, in a user namespace, for
// the engine to hand the node its cgroups.
const delegationWait = 30 * time.Second

// inUserNamespace reports whether the agent runs in a user namespace other
// than the host's (uid 0 here is not uid 0 there).
func inUserNamespace() bool {
	b, err := os.ReadFile("/proc/self/uid_map")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	return len(f) >= 3 && !(f[0] == "0" && f[1] == "0")
}

// waitDelegated waits until the node's own cgroup directory under root
// belongs to the node's root: the engine's helper hands it over right after
// the container starts, and neither the nested engine nor the containers it
// brings back may try to make cgroups before. It gives up after
// delegationWait, or when ctx ends, with a warning: nested containers then
// fail to start until the node is restarted.
func waitDelegated(ctx context.Context, root string, log *slog.Logger) {
	dir := ownCgroupDir(root)
	if dir == "" {
		return
	}
	deadline := time.Now().Add(delegationWait)
	for {
		var st syscall.Stat_t
		if err := syscall.Stat(dir, &st); err == nil && st.Uid == 0 {
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			log.Warn("the node's cgroups were not handed over; nested containers may fail", "dir", dir)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ownCgroupDir returns a directory of the node's own cgroup under root: the
// v2 tree itself, or the memory (else any) v1 hierarchy.
func ownCgroupDir(root string) string {
	var st syscall.Statfs_t
	if syscall.Statfs(root, &st) == nil && st.Type == 0x63677270 { // CGROUP2_SUPER_MAGIC
		return root
	}
	for _, name := range []string{"memory", "pids", "cpu"} {
		if fi, err := os.Stat(filepath.Join(root, name)); err == nil && fi.IsDir() {
			return filepath.Join(root, name)
		}
	}
	return ""
}
