package engine

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestNodeDiskIsBounded fills a node's disk from inside, through its root
// and its inner engine's data root, and checks that the node gets ENOSPC,
// that df shows its own size, that its neighbours and the host lose nothing,
// that a restart keeps the learner's files, and that removing the session
// leaves no file and no loop device behind.
func TestNodeDiskIsBounded(t *testing.T) {
	cli := testClient(t)
	dir := t.TempDir()
	const size = 512 << 20
	e := testEngine(t, cli, Config{NodeImage: nodeImage(t, cli), Disk: size, DiskDir: dir})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	id, nodes := newSession(t, e, 9)
	waitAll(t, e, nodes)
	run := func(n Node, script string) (string, int) {
		t.Helper()
		out, code, err := e.Exec(ctx, n.ContainerID, script, 60*time.Second)
		if err != nil {
			t.Fatalf("Exec: %v", err)
		}
		return out, code
	}

	// df shows the node's own size, for its root and its engine's data.
	for _, p := range []string{"/", "/var/lib/docker", "/root", "/tmp"} {
		out, code := run(nodes[0], "df -B1 --output=size "+p+" | tail -n 1")
		got, err := strconv.ParseInt(strings.TrimSpace(out), 10, 64)
		if code != 0 || err != nil || got > size || got < size*3/4 {
			t.Errorf("df %s in the node: %q (exit %d), want about %d", p, out, code, size)
		}
	}
	if out, _ := run(nodes[0], `awk '$5 == "/"' /proc/self/mountinfo`); !strings.Contains(out, "upperdir=/playground/disk/upper") {
		t.Errorf("the node's root is not on its disk: %s", out)
	}

	var before syscall.Statfs_t
	if err := syscall.Statfs(dir, &before); err != nil {
		t.Fatal(err)
	}
	// The inner engine's data and the root's files share the one disk.
	if out, code := run(nodes[0], "fallocate -l 300M /var/lib/docker/fill"); code != 0 {
		t.Fatalf("a first fill failed: %s", out)
	}
	out, code := run(nodes[0], "fallocate -l 300M /root/fill")
	if code == 0 || !strings.Contains(out, "No space left on device") {
		t.Errorf("filling past the disk: exit %d, %q; want No space left on device", code, out)
	}
	out, code = run(nodes[0], "dd if=/dev/zero of=/usr/local/fill bs=1M count=400 2>&1")
	if code == 0 || !strings.Contains(out, "No space left on device") {
		t.Errorf("writing past the disk: exit %d, %q; want No space left on device", code, out)
	}
	run(nodes[0], "sync")
	var after syscall.Statfs_t
	if err := syscall.Statfs(dir, &after); err != nil {
		t.Fatal(err)
	}
	used := (int64(before.Bavail) - int64(after.Bavail)) * int64(before.Bsize)
	t.Logf("the host's file system lost %d MiB to a full %d MiB node", used>>20, size>>20)
	if used > size+64<<20 {
		t.Errorf("the host lost %d MiB to a node of %d MiB", used>>20, size>>20)
	}
	// A neighbour is unaffected.
	if out, code := run(nodes[1], "fallocate -l 300M /root/fill && echo ok"); code != 0 {
		t.Errorf("the next node cannot write: %s", out)
	}
	// No loop device is within reach, and the node cannot get one.
	if out, code := run(nodes[0], "ls /dev/loop* 2>&1; mknod /tmp/l b 7 0 && cat /tmp/l >/dev/null"); code == 0 {
		t.Errorf("the node reached a loop device: %s", out)
	}

	// Freed space goes back, and a restart keeps the learner's files.
	run(nodes[0], "rm -f /var/lib/docker/fill /root/fill /usr/local/fill; echo kept > /root/keep; sync")
	if err := cli.ContainerKill(ctx, nodes[0].ContainerID, "KILL"); err != nil {
		t.Fatal(err)
	}
	waitStopped(t, e, nodes[0].ContainerID)
	if err := e.StartNode(ctx, nodes[0].ContainerID); err != nil {
		t.Fatalf("StartNode: %v", err)
	}
	if err := e.WaitReady(ctx, nodes[0].ContainerID); err != nil {
		t.Fatalf("WaitReady after restart: %v", err)
	}
	if out, _ := run(nodes[0], "cat /root/keep"); strings.TrimSpace(out) != "kept" {
		t.Errorf("after a restart /root/keep is %q", out)
	}

	// Removal leaves no disk file and no loop device.
	removeSession(t, e, id)
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(left) > 0 {
		t.Errorf("files left in the disk folder: %v", left)
	}
	loops, _ := filepath.Glob("/sys/block/loop*/loop/backing_file")
	for _, l := range loops {
		b, _ := os.ReadFile(l)
		if strings.Contains(string(b), filepath.Base(dir)) {
			t.Errorf("%s still holds %s", l, strings.TrimSpace(string(b)))
		}
	}
}

// TestSweepDisksRemovesOrphans leaves one disk without a container long
// enough ago and one just now; the sweep removes only the first.
func TestSweepDisksRemovesOrphans(t *testing.T) {
	cli := testClient(t)
	dir := t.TempDir()
	e := testEngine(t, cli, Config{NodeImage: nodeImage(t, cli), Disk: MinDisk, DiskDir: dir})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := e.CheckDisks(ctx); err != nil {
		t.Fatalf("CheckDisks: %v", err)
	}
	old, fresh := "pg-orphan"+randomID(t, 4)+"-node1", "pg-orphan"+randomID(t, 4)+"-node2"
	if err := e.attachDisks(ctx, old, fresh); err != nil {
		t.Fatalf("attachDisks: %v", err)
	}
	hourAgo := time.Now().Add(-time.Hour)
	ts := []unix.Timeval{unix.NsecToTimeval(hourAgo.UnixNano()), unix.NsecToTimeval(hourAgo.UnixNano())}
	if err := unix.Lutimes(filepath.Join(dir, old+".dev"), ts); err != nil {
		t.Fatal(err)
	}
	n, err := e.SweepDisks(ctx)
	if err != nil || n != 1 {
		t.Fatalf("SweepDisks = %d, %v; want 1", n, err)
	}
	if _, err := os.Stat(filepath.Join(dir, old+".img")); !os.IsNotExist(err) {
		t.Errorf("the old orphan is still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, fresh+".img")); err != nil {
		t.Errorf("the fresh disk went: %v", err)
	}
	if err := e.removeDisksNamed(ctx, fresh); err != nil {
		t.Fatal(err)
	}
}
