package e2e

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"

	"github.com/labplay/playground/sessions/engine"
)

// Every host of a cluster caps the memory and process ids of all its nodes
// together, below its own, as one host does: the server writes the caps on
// the cgroup where the host's engine puts its containers (make cluster's
// hosts run with a cgroup-parent of their own), and a session's nodes sit
// under it.
func TestClusterHostsShareLimits(t *testing.T) {
	c := needCluster(t)
	ctx := context.Background()
	parents := map[string]string{}
	for _, ch := range c.hosts {
		p := engineCgroupParent(t, ch.EnginePID)
		parents[ch.Name] = p
		// No cap before the server starts, so that only it can write them.
		writeCgroup(t, "memory", p, "memory.limit_in_bytes", "-1")
		writeCgroup(t, "pids", p, "pids.max", "max")
	}
	h := c.serve(t)

	b, err := os.ReadFile("/proc/sys/kernel/pid_max")
	if err != nil {
		t.Fatal(err)
	}
	pidMax, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range c.hosts {
		info, err := c.clients[ch.Name].Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The host keeps the larger of 2 GiB and a tenth of its memory
		// (engine.EnsureLimits); the kernel counts in pages.
		want := (info.MemTotal - max(2<<30, info.MemTotal/10)) &^ 4095
		if got := readCgroup(t, "memory", parents[ch.Name], "memory.limit_in_bytes"); got != strconv.FormatInt(want, 10) {
			t.Errorf("%s: the nodes' memory cap on %s is %s, want %d", ch.Name, parents[ch.Name], got, want)
		}
		if got := readCgroup(t, "pids", parents[ch.Name], "pids.max"); got != strconv.Itoa(pidMax-4096) {
			t.Errorf("%s: the nodes' pids cap on %s is %s, want pid_max %d less 4096", ch.Name, parents[ch.Name], got, pidMax)
		}
	}

	_, s := clusterSession(t, h.base)
	host := c.hostOf(s.ID)
	list, err := c.clients[host].ContainerList(ctx, container.ListOptions{
		Filters: filters.NewArgs(filters.Arg("label", engine.LabelSession+"="+s.ID))})
	if err != nil || len(list) == 0 {
		t.Fatalf("the session's containers on %s: %v, %d", host, err, len(list))
	}
	for _, ct := range list {
		j, err := c.clients[host].ContainerInspect(ctx, ct.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(j.State.Pid), "cgroup"))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			parts := strings.SplitN(line, ":", 3)
			if len(parts) == 3 && (parts[1] == "memory" || parts[1] == "pids") && path.Dir(parts[2]) != parents[host] {
				t.Errorf("node %s sits in %s cgroup %s, not under %s", ct.Names[0], parts[1], parts[2], parents[host])
			}
		}
	}
}

// engineCgroupParent returns the --cgroup-parent of the dockerd whose pid
// is given, as make cluster starts it.
func engineCgroupParent(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil {
		t.Fatalf("the engine's command line: %v", err)
	}
	for _, arg := range strings.Split(string(b), "\x00") {
		if p, ok := strings.CutPrefix(arg, "--cgroup-parent="); ok {
			return p
		}
	}
	t.Fatalf("the engine %d runs without --cgroup-parent: %q", pid, b)
	return ""
}

// readCgroup reads a file of a cgroup in one of this machine's cgroup v1
// hierarchies.
func readCgroup(t *testing.T, hierarchy, cg, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", hierarchy, cg, file))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// writeCgroup writes a file of a cgroup, when the cgroup exists.
func writeCgroup(t *testing.T, hierarchy, cg, file, value string) {
	t.Helper()
	err := os.WriteFile(filepath.Join("/sys/fs/cgroup", hierarchy, cg, file), []byte(value), 0)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}
