package engine

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/internal/waitfor"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
)

func TestMode(t *testing.T) {
	cli := testClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	info, err := cli.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The default asks the engine, and refuses one that does not remap users.
	e := testEngine(t, cli, Config{NodeImage: "pg-engine-test-missing:none"})
	mode, err := e.Mode(ctx)
	if remapsUsers(info.SecurityOptions) {
		if err != nil || mode != ModeUserns {
			t.Errorf("Mode on a remapping engine = %v, %v; want userns", mode, err)
		}
	} else if fault.ErrorCode(err) != fault.EUNAVAILABLE || !strings.Contains(fault.ErrorMessage(err), "userns-remap") {
		t.Errorf("Mode on an engine without user namespaces = %v, %v; want EUNAVAILABLE naming --userns-remap", mode, err)
	}

	// The unsafe setting probes privileges once, and leaves no probe behind.
	e = testEngine(t, cli, Config{NodeImage: nodeImage(t, cli), Isolation: IsolationUnsafeHostRoot})
	first, err := e.Mode(ctx)
	if err != nil || first.Safe() {
		t.Fatalf("unsafe Mode = %v, %v", first, err)
	}
	t.Logf("unsafe mode here: %s", first)
	if again, err := e.Mode(ctx); err != nil || again != first {
		t.Errorf("second Mode = %v, %v; want the cached %v", again, err, first)
	}
	left, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(
		filters.Arg("label", LabelInstance+"="+e.cfg.Instance), filters.Arg("label", LabelProbe))})
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("%d probe containers left", len(left))
	}
	if _, err := testEngine(t, cli, Config{NodeImage: "pg-engine-test-missing:none", Isolation: IsolationUnsafeHostRoot}).Mode(ctx); fault.ErrorCode(err) != fault.EUNAVAILABLE {
		t.Errorf("unsafe Mode with a missing image: got %v, want EUNAVAILABLE", err)
	}
}

func TestSessionLifecycle(t *testing.T) {
	cli := testClient(t)
	e := testEngine(t, cli, Config{NodeImage: nodeImage(t, cli)})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	id, nodes := newSession(t, e, 1)

	if len(nodes) != 3 {
		t.Fatalf("CreateSession returned %d nodes", len(nodes))
	}
	mode, err := e.Mode(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range nodes {
		wantName := fmt.Sprintf("node%d", i+1)
		wantAddr := netip.AddrFrom4([4]byte{100, 64, 255, byte(16 + 2 + i)})
		if n.Name != wantName || n.Addr != wantAddr || !n.Running || n.ContainerID == "" {
			t.Errorf("node %d = %+v", i, n)
		}
		info, err := cli.ContainerInspect(ctx, n.ContainerID)
		if err != nil {
			t.Fatal(err)
		}
		checkContainer(t, e, id, n, info, mode)
	}
	volumes := nodeVolumes(t, e, nodes)
	if len(volumes) != 3 {
		t.Errorf("nodes have %d volumes, want 3", len(volumes))
	}

	all, err := e.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := all[id]; fmt.Sprint(got) != fmt.Sprint(nodes) {
		t.Errorf("List()[%s] = %v, want %v", id, got, nodes)
	}

	waitAll(t, e, nodes)
	checkExec(t, e, nodes[0])

	// The nodes reach each other by name on their network.
	out, code, err := e.Exec(ctx, nodes[0].ContainerID, "ping -c 1 -W 5 node3", 20*time.Second)
	if err != nil || code != 0 || !strings.Contains(out, "100.64.255.20") {
		t.Errorf("ping node3 from node1: %d %v\n%s", code, err, out)
	}

	stats, err := e.Stats(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stats {
		if s.Memory == 0 || s.MemoryLimit != DefaultMemory || s.Pids == 0 {
			t.Errorf("stats of %s = %+v", s.Name, s)
		}
		t.Logf("%s: %.1f MiB, %d pids", s.Name, float64(s.Memory)/(1<<20), s.Pids)
	}

	if err := e.RemoveSession(ctx, id); err != nil {
		t.Fatalf("RemoveSession: %v", err)
	}
	assertGone(t, e, id)
	for _, n := range nodes {
		if _, err := cli.ContainerInspect(ctx, n.ContainerID); !cerrdefs.IsNotFound(err) {
			t.Errorf("container %s after RemoveSession: %v", n.Name, err)
		}
	}
	if _, err := cli.NetworkInspect(ctx, NetworkName(id), network.InspectOptions{}); !cerrdefs.IsNotFound(err) {
		t.Errorf("network after RemoveSession: %v", err)
	}
	assertVolumesGone(t, e, volumes)
	if err := e.RemoveSession(ctx, id); err != nil {
		t.Errorf("second RemoveSession: %v", err)
	}
}

// checkContainer compares a node container with what CreateSession promises.
func checkContainer(t *testing.T, e *Engine, id string, n Node, info container.InspectResponse, mode NodeMode) {
	t.Helper()
	if info.Name != "/"+ContainerName(id, n.Name) || info.Config.Hostname != n.Name {
		t.Errorf("%s: name %s, hostname %s", n.Name, info.Name, info.Config.Hostname)
	}
	l := info.Config.Labels
	if l[LabelInstance] != e.cfg.Instance || l[LabelSession] != id || l[LabelNode] != n.Name {
		t.Errorf("%s: labels %v", n.Name, l)
	}
	hc := info.HostConfig
	if hc.Memory != DefaultMemory || hc.MemorySwap != DefaultMemory || hc.PidsLimit == nil ||
		*hc.PidsLimit != DefaultPidsLimit || hc.NanoCPUs != DefaultNanoCPUs {
		t.Errorf("%s: resources %+v", n.Name, hc.Resources)
	}
	if hc.Privileged != (mode == ModeUnsafePrivileged) {
		t.Errorf("%s: privileged %v in mode %s", n.Name, hc.Privileged, mode)
	}
	if mode == ModeUserns && (hc.UsernsMode != "" || hc.CgroupnsMode != container.CgroupnsModePrivate) {
		t.Errorf("%s: userns %q, cgroupns %q in mode %s", n.Name, hc.UsernsMode, hc.CgroupnsMode, mode)
	}
	ep := info.NetworkSettings.Networks[NetworkName(id)]
	if ep == nil || ep.IPAddress != n.Addr.String() {
		t.Errorf("%s: endpoint %+v, want address %s", n.Name, ep, n.Addr)
	} else if !strings.Contains(strings.Join(ep.Aliases, " "), n.Name) {
		t.Errorf("%s: aliases %v", n.Name, ep.Aliases)
	}
	// The node's disk holds its inner engine's data; without disks, an
	// anonymous volume does.
	want := dockerDataDir
	if e.disksOn() {
		want = nodeDiskDir
	}
	mounted := false
	for _, m := range info.Mounts {
		mounted = mounted || (m.Type == "volume" && m.Destination == want)
	}
	if !mounted {
		t.Errorf("%s: no volume on %s: %+v", n.Name, want, info.Mounts)
	}
}

// checkExec runs scripts through Exec in a ready node.
func checkExec(t *testing.T, e *Engine, n Node) {
	t.Helper()
	ctx := context.Background()
	for _, tc := range []struct {
		script string
		out    string
		code   int
	}{
		{"hostname", n.Name + "\n", 0},
		{"id -u", "0\n", 0},
		{"docker info --format '{{.ServerVersion}}' >/dev/null && echo engine-up", "engine-up\n", 0},
	} {
		out, code, err := e.Exec(ctx, n.ContainerID, tc.script, 30*time.Second)
		if err != nil || out != tc.out || code != tc.code {
			t.Errorf("Exec(%q) = %q, %d, %v; want %q, %d", tc.script, out, code, err, tc.out, tc.code)
		}
	}

	// stdout and stderr travel on separate pipes in the engine, so their
	// relative order is not kept; both must be there.
	out, code, err := e.Exec(ctx, n.ContainerID, "echo out; echo err >&2; exit 3", 30*time.Second)
	if lines := strings.Fields(out); err != nil || code != 3 || len(lines) != 2 || !slices.Contains(lines, "out") || !slices.Contains(lines, "err") {
		t.Errorf("Exec with stderr = %q, %d, %v", out, code, err)
	}

	out, _, err = e.Exec(ctx, n.ContainerID, "head -c 100000 /dev/zero | tr '\\0' a", 30*time.Second)
	if err != nil || len(out) != MaxExecOutput || strings.Trim(out, "a") != "" {
		t.Errorf("large output: %d bytes, %v", len(out), err)
	}

	out, code, err = e.Exec(ctx, n.ContainerID, "echo started; sleep 47; echo finished", 2*time.Second)
	if err != nil || code != -1 || out != "timed out after 2s" {
		t.Errorf("timeout: %q, %d, %v", out, code, err)
	}
	// The abandoned script is killed in the node soon after.
	if err := waitfor.Poll(30*time.Second, func() error {
		out, code, err := e.Exec(ctx, n.ContainerID, "ps -eo args | grep -c '^sleep 47$'", 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(out) != "0" || code != 1 {
			return fmt.Errorf("grep -c finds %q, exit %d", strings.TrimSpace(out), code)
		}
		return nil
	}); err != nil {
		t.Errorf("the timed-out script still runs: %v", err)
	}

	if _, _, err := e.Exec(ctx, n.ContainerID, "true", 0); fault.ErrorCode(err) != fault.EINVALID {
		t.Errorf("zero timeout: got %v, want EINVALID", err)
	}
}

func TestStoppedNode(t *testing.T) {
	cli := testClient(t)
	e := testEngine(t, cli, Config{NodeImage: nodeImage(t, cli)})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	id, nodes := newSession(t, e, 2)
	waitAll(t, e, nodes)

	// Concurrent scripts in different nodes do not mix their output.
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, code, err := e.Exec(ctx, n.ContainerID, "for i in 1 2 3; do hostname; done", 30*time.Second)
			if want := strings.Repeat(n.Name+"\n", 3); err != nil || code != 0 || out != want {
				t.Errorf("%s: %q %d %v", n.Name, out, code, err)
			}
		}()
	}
	wg.Wait()

	stop := 2
	if err := cli.ContainerStop(ctx, nodes[1].ContainerID, container.StopOptions{Timeout: &stop}); err != nil {
		t.Fatal(err)
	}
	if running, err := e.NodeRunning(ctx, nodes[1].ContainerID); err != nil || running {
		t.Errorf("NodeRunning(stopped) = %v, %v", running, err)
	}
	if running, err := e.NodeRunning(ctx, nodes[0].ContainerID); err != nil || !running {
		t.Errorf("NodeRunning(running) = %v, %v", running, err)
	}
	if running, err := e.NodeRunning(ctx, "pg-no-such-container"); err != nil || running {
		t.Errorf("NodeRunning(missing) = %v, %v", running, err)
	}
	_, _, err := e.Exec(ctx, nodes[1].ContainerID, "true", 10*time.Second)
	if fault.ErrorCode(err) != fault.EUNAVAILABLE || fault.ErrorMessage(err) != "node2 is not running." {
		t.Errorf("Exec in a stopped node: %v", err)
	}
	if err := e.WaitReady(ctx, nodes[1].ContainerID); fault.ErrorCode(err) != fault.EUNAVAILABLE {
		t.Errorf("WaitReady of a stopped node: %v", err)
	}
	all, err := e.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := all[id]; len(got) != 3 || got[1].Running || !got[0].Running || got[1].Name != "node2" {
		t.Errorf("List after stop = %+v", got)
	}
	volumes := nodeVolumes(t, e, nodes)
	removeSession(t, e, id)
	assertVolumesGone(t, e, volumes)
	assertGone(t, e, id)
}

// nodeVolumes returns the names of the volumes mounted in the nodes.
func nodeVolumes(t *testing.T, e *Engine, nodes []Node) []string {
	t.Helper()
	var names []string
	for _, n := range nodes {
		info, err := e.cli.ContainerInspect(context.Background(), n.ContainerID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range info.Mounts {
			if m.Type == "volume" {
				names = append(names, m.Name)
			}
		}
	}
	return names
}

// assertVolumesGone fails the test when any of the volumes still exists.
func assertVolumesGone(t *testing.T, e *Engine, volumes []string) {
	t.Helper()
	for _, v := range volumes {
		if _, err := e.cli.VolumeInspect(context.Background(), v); !cerrdefs.IsNotFound(err) {
			t.Errorf("volume %s after RemoveSession: %v", v, err)
		}
	}
}
