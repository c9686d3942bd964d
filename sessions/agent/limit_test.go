package agent

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// LimitParent and RemoveParent on the host's real cgroup v1 tree, as the
// helper container runs them (make test runs as root on the host).
func TestLimitParent(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to write the host's cgroups")
	}
	if _, err := os.Stat("/sys/fs/cgroup/memory/memory.limit_in_bytes"); err != nil {
		t.Skip("no cgroup v1 memory hierarchy at /sys/fs/cgroup/memory")
	}
	var b [4]byte
	rand.Read(b[:])
	path := "/pg-limit-test-" + hex.EncodeToString(b[:])
	t.Cleanup(func() { RemoveParent("/sys/fs/cgroup", "/proc", path) })
	if err := LimitParent("/sys/fs/cgroup", "/proc", ParentLimits{Path: path, Memory: 300 << 20, PidsReserve: 4096}); err != nil {
		t.Fatal(err)
	}
	read := func(f string) string {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	if got := read(filepath.Join("/sys/fs/cgroup/memory", path, "memory.limit_in_bytes")); got != strconv.Itoa(300<<20) {
		t.Errorf("memory limit = %s", got)
	}
	pidMax, _ := strconv.Atoi(read("/proc/sys/kernel/pid_max"))
	if got := read(filepath.Join("/sys/fs/cgroup/pids", path, "pids.max")); got != strconv.Itoa(pidMax-4096) {
		t.Errorf("pids.max = %s, want pid_max %d less 4096", got, pidMax)
	}
	// Again: it changes nothing.
	if err := LimitParent("/sys/fs/cgroup", "/proc", ParentLimits{Path: path, Memory: 300 << 20, PidsReserve: 4096}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "/", "relative", "/a/../../etc"} {
		if err := LimitParent("/sys/fs/cgroup", "/proc", ParentLimits{Path: bad, Memory: 1 << 30}); err == nil {
			t.Errorf("LimitParent accepted path %q", bad)
		}
	}
	if err := RemoveParent("/sys/fs/cgroup", "/proc", path); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"memory", "pids"} {
		if _, err := os.Stat(filepath.Join("/sys/fs/cgroup", h, path)); !os.IsNotExist(err) {
			t.Errorf("%s%s still there: %v", h, path, err)
		}
	}
}
