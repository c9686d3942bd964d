package agent

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// helperMountInfo is the mount table of a helper container on a hybrid
// host: the engine's own read-only view of the helper's cgroups, and the
// host's tree bound at /host/cgroup.
const helperMountInfo = `700 600 0:47 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,mode=755
701 700 0:32 /docker/helper /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime - cgroup cgroup rw,memory
710 600 0:28 / /host/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
711 710 0:29 / /host/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
712 710 0:32 / /host/cgroup/memory rw,relatime - cgroup cgroup rw,memory
713 710 0:37 / /host/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
714 710 0:38 / /host/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`

const nodeID = "fd85173d6ea8d27daf07f723a992a76ea18d97de2cdead46014d8f79e4e01118"

func TestPlanDelegation(t *testing.T) {
	t.Parallel()
	mounts, err := parseMountInfo(helperMountInfo)
	if err != nil {
		t.Fatal(err)
	}
	cgroups, err := parseProcCgroup(strings.ReplaceAll(`4:name=systemd:/docker/ID
3:memory:/docker/ID
2:cpuacct,cpu:/docker/ID
0::/docker/ID
`, "ID", nodeID))
	if err != nil {
		t.Fatal(err)
	}
	got, err := planDelegation(mounts, cgroups, "/host/cgroup", nodeID)
	if err != nil {
		t.Fatal(err)
	}
	want := []delegatedDir{
		{"/host/cgroup/systemd/docker/" + nodeID, []string{"."}},
		{"/host/cgroup/memory/docker/" + nodeID, []string{"."}},
		{"/host/cgroup/cpu,cpuacct/docker/" + nodeID, []string{"."}},
		{"/host/cgroup/unified/docker/" + nodeID, v2DelegateFiles},
	}
	if len(got) != len(want) {
		t.Fatalf("plan = %v, want %v", got, want)
	}
	for i := range want {
		if got[i].Dir != want[i].Dir || !slices.Equal(got[i].Files, want[i].Files) {
			t.Errorf("plan[%d] = %v, want %v", i, got[i], want[i])
		}
	}

	// Cgroups that do not name the container, or a hierarchy's root, are
	// refused whole: nothing else of the host is ever handed over.
	for _, text := range []string{
		"3:memory:/docker/someone-else\n",
		"3:memory:/\n",
	} {
		cg, _ := parseProcCgroup(text)
		if plan, err := planDelegation(mounts, cg, "/host/cgroup", nodeID); err == nil {
			t.Errorf("%q: plan %v, want an error", text, plan)
		}
	}
	// A unified tree the engine left alone is skipped.
	cg, _ := parseProcCgroup("3:memory:/docker/" + nodeID + "\n0::/\n")
	if plan, err := planDelegation(mounts, cg, "/host/cgroup", nodeID); err != nil || len(plan) != 1 {
		t.Errorf("with 0::/ : plan %v, %v; want the memory cgroup only", plan, err)
	}
	// Nothing mounted where the host's tree should be.
	if plan, err := planDelegation(mounts, cgroups, "/elsewhere", nodeID); err == nil {
		t.Errorf("plan under a missing root = %v, want an error", plan)
	}
}

func TestReadRootMapping(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for text, want := range map[string]int{
		"         0     100000      65536\n":                 100000,
		"      1000       1000          1\n0 231072 65536\n": 231072,
		"         0          0 4294967295\n":                 -1, // the host's root
		"      1000       1000          1\n":                 -1, // root unmapped
		"0 x 1\n":                                            -1,
	} {
		f := filepath.Join(dir, "uid_map")
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := readRootMapping(f)
		if want < 0 {
			if err == nil {
				t.Errorf("%q: got %d, want an error", text, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("%q: got %d, %v; want %d", text, got, err, want)
		}
	}
}

func TestParseDelegateTarget(t *testing.T) {
	t.Parallel()
	if got, err := ParseDelegateTarget(nodeID + ":4242"); err != nil || got.Pid != 4242 || got.ContainerID != nodeID {
		t.Errorf("ParseDelegateTarget = %+v, %v", got, err)
	}
	for _, s := range []string{"", nodeID, nodeID + ":1", nodeID + ":x", "short:42", "../../etc/passwd:42"} {
		if got, err := ParseDelegateTarget(s); err == nil {
			t.Errorf("ParseDelegateTarget(%q) = %+v, want an error", s, got)
		}
	}
}

// On a pure cgroup v2 host the tree is mounted at the helper's root itself,
// and a systemd driver names the container in a scope.
func TestPlanDelegationV2(t *testing.T) {
	t.Parallel()
	mounts, err := parseMountInfo("710 600 0:28 / /host/cgroup rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n")
	if err != nil {
		t.Fatal(err)
	}
	cgroups, _ := parseProcCgroup("0::/system.slice/docker-" + nodeID + ".scope\n")
	got, err := planDelegation(mounts, cgroups, "/host/cgroup", nodeID)
	if err != nil || len(got) != 1 || got[0].Dir != "/host/cgroup/system.slice/docker-"+nodeID+".scope" || !slices.Equal(got[0].Files, v2DelegateFiles) {
		t.Fatalf("plan = %v, %v", got, err)
	}
}
