package agent

import (
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// dockerMountInfo is /proc/self/mountinfo of a container started without
// --privileged on a cgroup v1 host (trimmed).
const dockerMountInfo = `1021 1001 0:122 / / rw,relatime master:480 - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w
1022 1021 0:125 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
1026 1021 0:129 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro
1027 1026 0:130 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,mode=755
1028 1027 0:29 /docker/abc /sys/fs/cgroup/systemd ro,nosuid,nodev,noexec,relatime master:11 - cgroup cgroup rw,xattr,name=systemd
1029 1027 0:32 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro,nosuid,nodev,noexec,relatime master:16 - cgroup cgroup rw,cpu,cpuacct
1030 1027 0:33 /docker/abc /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime master:17 - cgroup cgroup rw,memory
1031 1027 0:34 /docker/abc /sys/fs/cgroup/net_cls,net_prio ro,nosuid,nodev,noexec,relatime master:18 - cgroup cgroup rw,net_prio,net_cls
1032 1027 0:35 /docker/abc /sys/fs/cgroup/cpuset ro,nosuid,nodev,noexec,relatime master:19 - cgroup cgroup rw,cpuset,clone_children
1033 1027 0:36 /docker/abc /sys/fs/cgroup/pids ro,nosuid,nodev,noexec,relatime master:20 - cgroup cgroup rw,pids
1040 1021 8:1 /var/lib/docker/volumes/x/_data /var/lib/docker rw,relatime master:1 - ext4 /dev/sda1 rw
`

// dockerCgroup is /proc/self/cgroup of the same container.
const dockerCgroup = `12:pids:/docker/abc
11:cpuset:/docker/abc
10:net_cls,net_prio:/docker/abc
9:memory:/docker/abc
8:cpu,cpuacct:/docker/abc
1:name=systemd:/docker/abc
0::/system.slice/containerd.service
`

func mustPlan(t *testing.T, mountinfo, cgroup string) cgroupPlan {
	t.Helper()
	mounts, err := parseMountInfo(mountinfo)
	if err != nil {
		t.Fatal(err)
	}
	cgroups, err := parseProcCgroup(cgroup)
	if err != nil {
		t.Fatal(err)
	}
	return planCgroups(mounts, cgroups, "/sys/fs/cgroup")
}

func TestPlanRebindsReadOnlyHierarchies(t *testing.T) {
	t.Parallel()
	plan := mustPlan(t, dockerMountInfo, dockerCgroup)
	if plan.Version != 1 || plan.RemountRoot || len(plan.Unmatched) != 0 {
		t.Fatalf("plan = %+v", plan)
	}
	want := []hierarchyStep{
		{"/sys/fs/cgroup/cpu,cpuacct", "cpu,cpuacct", "cgroup", "cpu,cpuacct", "/docker/abc"},
		{"/sys/fs/cgroup/cpuset", "cpuset", "cgroup", "cpuset", "/docker/abc"},
		{"/sys/fs/cgroup/memory", "memory", "cgroup", "memory", "/docker/abc"},
		{"/sys/fs/cgroup/net_cls,net_prio", "net_cls,net_prio", "cgroup", "net_cls,net_prio", "/docker/abc"},
		{"/sys/fs/cgroup/pids", "pids", "cgroup", "pids", "/docker/abc"},
		{"/sys/fs/cgroup/systemd", "systemd", "cgroup", "none,name=systemd", "/docker/abc"},
	}
	if !reflect.DeepEqual(plan.Steps, want) {
		t.Fatalf("steps:\n got %+v\nwant %+v", plan.Steps, want)
	}
}

func TestPlanIsIdempotent(t *testing.T) {
	t.Parallel()
	// After the rebind the same points hold read-write binds of the
	// container's own cgroup; the fresh mounts sit under /run.
	after := strings.ReplaceAll(dockerMountInfo, " ro,nosuid,nodev,noexec,relatime master:", " rw,nosuid,nodev,noexec,relatime master:") +
		"1050 1021 0:33 / /run/playground/cgroup/memory rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,memory\n"
	plan := mustPlan(t, after, dockerCgroup)
	if plan.Version != 1 || len(plan.Steps) != 0 || plan.RemountRoot {
		t.Fatalf("second plan = %+v, want nothing to do", plan)
	}
}

func TestPlanLeavesWritableTreesAlone(t *testing.T) {
	t.Parallel()
	privileged := `30 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec - tmpfs tmpfs rw,mode=755
31 30 0:27 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,memory
32 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,cpu,cpuacct
`
	plan := mustPlan(t, privileged, "4:memory:/\n3:cpu,cpuacct:/\n")
	if plan.Version != 1 || len(plan.Steps) != 0 || plan.RemountRoot {
		t.Fatalf("plan = %+v", plan)
	}
	v2 := "40 30 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
	plan = mustPlan(t, v2, "0::/\n")
	if plan.Version != 2 || plan.RemountRoot || len(plan.Steps) != 0 || !plan.Evacuate {
		t.Fatalf("v2 plan = %+v", plan)
	}
	// Without a cgroup namespace the tree is the host's: hands off.
	plan = mustPlan(t, v2, "0::/system.slice/docker-abc.scope\n")
	if plan.Version != 2 || plan.Evacuate {
		t.Fatalf("v2 plan on the host's tree = %+v", plan)
	}
	plan = mustPlan(t, "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n", "0::/\n")
	if plan.Version != 0 {
		t.Fatalf("plan without a cgroup tree = %+v", plan)
	}
}

func TestPlanRemountsReadOnlyRoots(t *testing.T) {
	t.Parallel()
	v2 := "40 30 0:30 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
	plan := mustPlan(t, v2, "0::/\n")
	if plan.Version != 2 || !plan.RemountRoot || plan.Root.Point != "/sys/fs/cgroup" {
		t.Fatalf("v2 plan = %+v", plan)
	}
	roTmpfs := strings.Replace(dockerMountInfo, "/sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,mode=755",
		"/sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - tmpfs tmpfs ro,mode=755", 1)
	plan = mustPlan(t, roTmpfs, dockerCgroup)
	if !plan.RemountRoot || len(plan.Steps) != 6 {
		t.Fatalf("read-only tmpfs plan = %+v", plan)
	}
	if got := remountFlags(plan.Root.Opts); got != syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC|syscall.MS_RELATIME {
		t.Fatalf("remount flags = %#x", got)
	}
}

func TestPlanHybridAndUnmatched(t *testing.T) {
	t.Parallel()
	mi := `27 26 0:130 / /sys/fs/cgroup rw,nosuid,nodev,noexec - tmpfs tmpfs rw,mode=755
28 27 0:31 /docker/abc /sys/fs/cgroup/unified ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate
29 27 0:33 /docker/abc /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime - cgroup cgroup rw,memory
30 27 0:34 / /sys/fs/cgroup/rdma ro,nosuid,nodev,noexec,relatime - cgroup cgroup rw,rdma
31 27 0:35 / /sys/fs/cgroup/memory/inner ro,nosuid - tmpfs tmpfs ro
`
	plan := mustPlan(t, mi, "9:memory:/docker/abc\n0::/docker/abc\n")
	want := []hierarchyStep{
		{"/sys/fs/cgroup/memory", "memory", "cgroup", "memory", "/docker/abc"},
		{"/sys/fs/cgroup/unified", "unified", "cgroup2", "", "/docker/abc"},
	}
	if !reflect.DeepEqual(plan.Steps, want) {
		t.Fatalf("steps:\n got %+v\nwant %+v", plan.Steps, want)
	}
	if !reflect.DeepEqual(plan.Unmatched, []string{"/sys/fs/cgroup/rdma"}) {
		t.Fatalf("unmatched = %v", plan.Unmatched)
	}
}

func TestPlanUsesTheTopMount(t *testing.T) {
	t.Parallel()
	// The read-only mount is covered by a writable one at the same point.
	mi := `27 26 0:130 / /sys/fs/cgroup rw - tmpfs tmpfs rw
29 27 0:33 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory
35 29 0:33 /docker/abc /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory
`
	if plan := mustPlan(t, mi, "9:memory:/docker/abc\n"); len(plan.Steps) != 0 {
		t.Fatalf("steps = %+v", plan.Steps)
	}
}

func TestParseMountInfo(t *testing.T) {
	t.Parallel()
	mounts, err := parseMountInfo("36 35 98:0 /my\\040dir /mnt/a\\134b rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue\n")
	if err != nil {
		t.Fatal(err)
	}
	want := mountEntry{ID: 36, Parent: 35, Root: "/my dir", Point: `/mnt/a\b`, Opts: []string{"rw", "noatime"},
		FSType: "ext3", Source: "/dev/root", Super: []string{"rw", "errors=continue"}}
	if len(mounts) != 1 || !reflect.DeepEqual(mounts[0], want) {
		t.Fatalf("got %+v\nwant %+v", mounts, want)
	}
	for _, bad := range []string{
		"36 35 98:0 / /mnt rw\n",                    // no separator
		"36 35 98:0 / /mnt rw - ext3\n",             // missing fields after it
		"x 35 98:0 / /mnt rw - ext3 /dev/root rw\n", // bad id
	} {
		if _, err := parseMountInfo(bad); err == nil {
			t.Errorf("parseMountInfo(%q) succeeded", bad)
		}
	}
}

func TestParseProcCgroup(t *testing.T) {
	t.Parallel()
	got, err := parseProcCgroup("8:cpu,cpuacct:/docker/a:b\n0::/\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []cgroupEntry{{8, []string{"cpu", "cpuacct"}, "/docker/a:b"}, {0, nil, "/"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for _, bad := range []string{"memory:/\n", "x:memory:/\n"} {
		if _, err := parseProcCgroup(bad); err == nil {
			t.Errorf("parseProcCgroup(%q) succeeded", bad)
		}
	}
}

func TestHierarchyOf(t *testing.T) {
	t.Parallel()
	tests := map[string][]string{
		"rw,cpuacct,cpu":                  {"cpu", "cpuacct"},
		"rw,xattr,name=systemd":           {"name=systemd"},
		"rw,cpuset,clone_children":        {"cpuset"},
		"rw,memory,release_agent=/bin/x":  {"memory"},
		"rw,noprefix,cpuset,favordynmods": {"cpuset"},
	}
	for opts, want := range tests {
		if got := hierarchyOf(strings.Split(opts, ",")); !reflect.DeepEqual(got, want) {
			t.Errorf("hierarchyOf(%q) = %v, want %v", opts, got, want)
		}
	}
}

func TestSubtreeControl(t *testing.T) {
	t.Parallel()
	if got := subtreeControl("cpuset cpu io memory pids\n"); got != "+cpuset +cpu +io +memory +pids" {
		t.Fatalf("subtreeControl = %q", got)
	}
	if got := subtreeControl("\n"); got != "" {
		t.Fatalf("subtreeControl of nothing = %q", got)
	}
}
