package engine

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A node of 512 MiB and one CPU says so: free, /proc/meminfo, the inner
// engine's docker info, nproc and getconf show the node's own memory and
// CPUs, not the host's; and the nested engine still starts containers.
func TestNodeShowsItsOwnMemoryAndCPUs(t *testing.T) {
	cli := testClient(t)
	e := testEngine(t, cli, Config{NodeImage: nodeImage(t, cli), Memory: 512 << 20, NanoCPUs: 1_000_000_000})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	e.CheckLXCFS(ctx)
	if len(e.lxcfsMounts()) == 0 {
		t.Fatalf("no LXCFS at %s on this host: start it with lxcfs --enable-cfs %s (make test does)", e.cfg.LXCFSDir, e.cfg.LXCFSDir)
	}
	_, nodes := newSession(t, e, 15)
	waitAll(t, e, nodes)
	out, code, err := e.Exec(ctx, nodes[0].ContainerID, `free -m | awk '/^Mem:/ {print $2}'
awk '/^MemTotal:/ {print $2}' /proc/meminfo
docker info --format '{{.MemTotal}}'
nproc
getconf _NPROCESSORS_ONLN
grep -c ^processor /proc/cpuinfo`, 60*time.Second)
	f := strings.Fields(out)
	if err != nil || code != 0 || len(f) != 6 {
		t.Fatalf("reading the node's memory and CPUs: %v, exit %d:\n%s", err, code, out)
	}
	want := map[string][2]int64{
		"free (MiB)":                {500, 512},
		"/proc/meminfo (KiB)":       {500 << 10, 512 << 10},
		"docker info (bytes)":       {500 << 20, 512 << 20},
		"nproc":                     {1, 1},
		"getconf _NPROCESSORS_ONLN": {1, 1},
		"/proc/cpuinfo processors":  {1, 1},
	}
	for i, name := range []string{"free (MiB)", "/proc/meminfo (KiB)", "docker info (bytes)", "nproc", "getconf _NPROCESSORS_ONLN", "/proc/cpuinfo processors"} {
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil || n < want[name][0] || n > want[name][1] {
			t.Errorf("%s in a node of 512 MiB and one CPU says %s, want %d to %d", name, f[i], want[name][0], want[name][1])
		}
	}
	if _, err := cli.ImageInspect(ctx, labImage); err != nil {
		t.Skipf("%s is not on the engine (make images builds it)", labImage)
	}
	if err := e.LoadImage(ctx, []string{nodes[0].ContainerID}, labImage); err != nil {
		t.Fatal(err)
	}
	if out, code, err := e.Exec(ctx, nodes[0].ContainerID, "docker run --rm "+labImage+" echo nested-ok", 60*time.Second); err != nil || code != 0 || !strings.Contains(out, "nested-ok") {
		t.Errorf("a nested container beside the LXCFS files: %v, exit %d:\n%s", err, code, out)
	}
}
