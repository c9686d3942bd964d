package agent

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// inMountNS marks the child test process that runs in a private mount
// namespace.
const inMountNS = "AGENT_TEST_IN_MOUNT_NS"

// TestPrepareCgroupsInMountNamespace builds, in a private mount namespace, a
// cgroup tree like a container's without --privileged (a read-only tmpfs with
// read-only binds of this process's own cgroups) and prepares it for real.
func TestPrepareCgroupsInMountNamespace(t *testing.T) {
	if os.Getenv(inMountNS) != "" {
		prepareCgroupScenario(t)
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("mounting cgroups needs root")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare (util-linux) is not installed")
	}
	if plan := hostCgroupPlan(t); plan.Version != 1 {
		t.Skip("the host has no cgroup v1 tree at /sys/fs/cgroup")
	}
	cmd := exec.Command("unshare", "--mount", "--propagation", "private",
		os.Args[0], "-test.run=^TestPrepareCgroupsInMountNamespace$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), inMountNS+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child in a mount namespace: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestPrepareCgroupsInMountNamespace") {
		t.Fatalf("the child did not run the scenario:\n%s", out)
	}
	t.Logf("child:\n%s", out)
}

// hostCgroupPlan reads this process's mount table and cgroups.
func hostCgroupPlan(t *testing.T) cgroupPlan {
	t.Helper()
	mounts, cgroups, err := defaultCgroupTree.read()
	if err != nil {
		t.Fatal(err)
	}
	return planCgroups(mounts, cgroups, "/sys/fs/cgroup")
}

// hierarchy is one v1 hierarchy of the host and this process's cgroup in it.
type hierarchy struct{ name, own string }

// hostHierarchies lists the v1 hierarchies mounted under /sys/fs/cgroup.
func hostHierarchies(t *testing.T) []hierarchy {
	t.Helper()
	mounts, cgroups, err := defaultCgroupTree.read()
	if err != nil {
		t.Fatal(err)
	}
	var out []hierarchy
	for _, m := range mounts {
		if m.FSType != "cgroup" || filepath.Dir(m.Point) != "/sys/fs/cgroup" {
			continue
		}
		ids := strings.Join(hierarchyOf(m.Super), ",")
		for _, c := range cgroups {
			if c.ID != 0 && strings.Join(hierarchyOf(c.Controllers), ",") == ids {
				out = append(out, hierarchy{filepath.Base(m.Point), c.Path})
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no v1 hierarchy found under /sys/fs/cgroup")
	}
	return out
}

func prepareCgroupScenario(t *testing.T) {
	dir, err := os.MkdirTemp("", "cgroup-test")
	if err != nil {
		t.Fatal(err)
	}
	tree := cgroupTree{
		Root:       filepath.Join(dir, "cgroup"),
		Scratch:    filepath.Join(dir, "scratch"),
		MountInfo:  "/proc/self/mountinfo",
		ProcCgroup: "/proc/self/cgroup",
	}
	hs := hostHierarchies(t)
	t.Cleanup(func() {
		_ = syscall.Unmount(tree.Root, syscall.MNT_DETACH)
		for _, h := range hs {
			_ = syscall.Unmount(filepath.Join(tree.Scratch, h.name), syscall.MNT_DETACH)
		}
		os.RemoveAll(dir)
	})

	// A container's view: read-only binds of our own cgroups on a tmpfs
	// that is itself read-only, plus a symlink like cpu -> cpu,cpuacct.
	must(t, os.MkdirAll(tree.Root, 0o755))
	must(t, syscall.Mount("tmpfs", tree.Root, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, "mode=755"))
	const roBind = syscall.MS_REMOUNT | syscall.MS_BIND | syscall.MS_RDONLY | syscall.MS_NOSUID | syscall.MS_NODEV | syscall.MS_NOEXEC
	for _, h := range hs {
		point := filepath.Join(tree.Root, h.name)
		must(t, os.Mkdir(point, 0o755))
		must(t, syscall.Mount(filepath.Join("/sys/fs/cgroup", h.name, h.own), point, "", syscall.MS_BIND, ""))
		must(t, syscall.Mount("", point, "", roBind, ""))
	}
	must(t, os.Symlink(hs[0].name, filepath.Join(tree.Root, "link")))
	must(t, syscall.Mount("", tree.Root, "", syscall.MS_REMOUNT|syscall.MS_RDONLY|syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, ""))
	for _, h := range hs {
		if err := syscall.Access(filepath.Join(tree.Root, h.name), wOK); !errors.Is(err, syscall.EROFS) {
			t.Fatalf("before: %s is not read-only (%v)", h.name, err)
		}
	}

	if err := tree.prepare(nil); err != nil {
		t.Fatalf("prepare: %v", err)
	}

	mounts, _, err := tree.read()
	must(t, err)
	top := make(map[string]mountEntry)
	for _, m := range mounts {
		top[m.Point] = m
	}
	if m := top[tree.Root]; m.readOnly() {
		t.Errorf("the tmpfs stays read-only: %+v", m)
	}
	for _, h := range hs {
		point := filepath.Join(tree.Root, h.name)
		m := top[point]
		if m.FSType != "cgroup" || m.readOnly() || m.Root != h.own {
			t.Errorf("%s: mount %+v, want a writable bind of %s", h.name, m, h.own)
		}
		if err := syscall.Access(point, wOK); err != nil {
			t.Errorf("%s is not writable: %v", h.name, err)
		}
		if _, err := os.Stat(filepath.Join(point, "cgroup.procs")); err != nil {
			t.Errorf("%s: %v", h.name, err)
		}
		// The fresh mount of the whole hierarchy is gone: it would show
		// every other container's cgroups.
		if m, ok := top[filepath.Join(tree.Scratch, h.name)]; ok {
			t.Errorf("%s: the fresh mount stays at %s (root %s)", h.name, m.Point, m.Root)
		}
	}
	if target, err := os.Readlink(filepath.Join(tree.Root, "link")); err != nil || target != hs[0].name {
		t.Errorf("symlink: %q, %v", target, err)
	}

	// A second run finds nothing to do.
	if err := tree.prepare(nil); err != nil {
		t.Fatalf("second prepare: %v", err)
	}
	again, _, err := tree.read()
	must(t, err)
	if len(again) != len(mounts) {
		t.Fatalf("second prepare changed the mount table: %d mounts, then %d", len(mounts), len(again))
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wOK asks access(2) about write permission.
const wOK = 2
