package engine

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// labImage is the stand-in lab image that make test builds; the nested
// container checks run it.
const labImage = "mtbsoft/myipaddress:latest"

// The doors out of a node that a root shell in it would try. Each probe is
// run as root in a real node, as a learner's terminal runs it, and must be
// refused by the kernel: the test looks for the refusal itself ("Permission
// denied", "Operation not permitted", ...), so a probe that fails for a
// dull reason (a typo, a missing tool) fails the test instead of passing it.
func TestNodeRootIsNobodyOnTheHost(t *testing.T) {
	cli := testClient(t)
	e := testEngine(t, cli, Config{NodeImage: nodeImage(t, cli)})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	mode, err := e.Mode(ctx)
	if err != nil {
		t.Fatalf("Mode: %v", err)
	}
	if mode != ModeUserns {
		t.Fatalf("default mode here is %s; make test's engine must run with --userns-remap", mode)
	}
	_, mine := newSession(t, e, 5)
	_, theirs := newSession(t, e, 6)
	waitAll(t, e, append(append([]Node(nil), mine...), theirs...))
	node := mine[0].ContainerID
	other, err := cli.ContainerInspect(ctx, theirs[0].ContainerID)
	if err != nil {
		t.Fatal(err)
	}

	run := func(script string) (string, int) {
		t.Helper()
		out, code, err := e.Exec(ctx, node, script, 30*time.Second)
		if err != nil {
			t.Fatalf("Exec: %v", err)
		}
		return out, code
	}
	refused := func(what, script string, wants ...string) {
		t.Helper()
		out, code := run(script)
		ok := code != 0
		if ok && len(wants) > 0 {
			ok = false
			for _, w := range wants {
				ok = ok || strings.Contains(strings.ToLower(out), strings.ToLower(w))
			}
		}
		if !ok {
			t.Errorf("%s was not refused (exit %d):\n%s", what, code, out)
		} else {
			t.Logf("%s: refused: %s", what, strings.TrimSpace(out))
		}
	}
	const denied, notPermitted = "Permission denied", "Operation not permitted"

	// Root in the node is an unprivileged uid on the host.
	if out, _ := run("cat /proc/self/uid_map"); strings.Fields(out)[1] == "0" {
		t.Errorf("node root maps to host uid 0: %q", out)
	}

	// The release-agent escape: a new cgroup hierarchy is refused, and the
	// node's own one does not let it set the agent that the host would run.
	hostFile := "/tmp/pg-escaped-" + randomID(t, 8)
	refused("mounting a new cgroup hierarchy", "d=$(mktemp -d); mount -t cgroup -o none,name=pgescape cgroup $d", denied, notPermitted)
	refused("setting a release agent", fmt.Sprintf(`set -e
d=$(mktemp -d)
mount -t cgroup -o memory cgroup $d
mkdir -p $d/pgx
echo 1 > $d/pgx/notify_on_release
upper=$(sed -n 's/.*upperdir=\([^,]*\).*/\1/p' /proc/self/mountinfo | head -n 1)
printf '#!/bin/sh\nid > %s\n' > /pg-escape.sh
chmod +x /pg-escape.sh
echo "$upper/pg-escape.sh" > $d/release_agent
echo AGENT-SET
sh -c "echo \$\$ > $d/pgx/cgroup.procs"`, hostFile), denied, notPermitted)
	// A grace period, not a wait: the kernel would run the agent a moment
	// after the cgroup empties, and what must not happen has no event to
	// wait on.
	time.Sleep(time.Second)
	if _, err := os.Stat(hostFile); err == nil {
		t.Errorf("a script from the node ran on the host: %s exists", hostFile)
		os.Remove(hostFile)
	}

	// Kernel-wide settings and modules.
	before, _ := os.ReadFile("/proc/sys/kernel/core_pattern")
	refused("writing core_pattern", "echo '|/tmp/pg-core' > /proc/sys/kernel/core_pattern", denied, notPermitted)
	if after, _ := os.ReadFile("/proc/sys/kernel/core_pattern"); string(after) != string(before) {
		t.Errorf("the host's core_pattern changed: %q -> %q", before, after)
	}
	// A kernel built without modules has no modprobe setting and answers
	// module syscalls with ENOSYS, whoever asks: that door does not exist.
	const noModules = "this kernel has no module support"
	refused("writing the modprobe path", "[ -e /proc/sys/kernel/modprobe ] || { echo '"+noModules+"'; exit 1; }; echo /tmp/pg-modprobe > /proc/sys/kernel/modprobe",
		denied, notPermitted, noModules)
	refused("dropping the host's caches", "echo 3 > /proc/sys/vm/drop_caches", denied, notPermitted)
	// finit_module(2) through perl, which every Debian has.
	refused("loading a kernel module", `perl -e 'my $p = ""; my $r = syscall(313, 0, $p, 0); print "finit_module: $!\n"; exit($r == -1 ? 1 : 0)'`,
		notPermitted, "Function not implemented")

	// The host's disks: no device node to mount, and none can be made.
	refused("making a block device", `set -e
awk 'NR > 2 && $4 != "" { print $1, $2, $4 }' /proc/partitions | while read -r major minor name; do
  mknod /tmp/pg-$name b $major $minor
  mount /tmp/pg-$name /mnt && echo "MOUNTED $name"
done
ls -l /dev | grep '^b' && echo "BLOCK DEVICE PRESENT"
exit 1`, notPermitted)

	// Cgroups: the node sees its own subtree only, may not change its own
	// limits, and cannot name another node's cgroup.
	checkCgroupsApart(t, e, node, other.ID)
	refused("raising the node's own memory limit", "echo 99999999999 > /sys/fs/cgroup/memory/memory.limit_in_bytes", denied)
	refused("raising the node's own pids limit", "echo max > /sys/fs/cgroup/pids/pids.max", denied)
	refused("freezing the node's own cgroup", "echo FROZEN > /sys/fs/cgroup/freezer/freezer.state", denied)

	// Another session's processes and files are out of sight.
	refused("reading another node's environment", fmt.Sprintf("cat /proc/%d/environ", other.State.Pid), "No such file")
	if upper := other.GraphDriver.Data["UpperDir"]; upper == "" {
		t.Errorf("no upper directory for the other node: %v", other.GraphDriver.Data)
	} else {
		refused("listing another node's files", "ls "+upper, "No such file")
	}

	// Quotas the kernel counts per host user, which every node shares: the
	// calls that use them are refused (seccomp.go), as on a kernel without
	// them, so that one learner cannot use them up for everyone.
	out, code := run(quotaProbes)
	for _, call := range []string{"add_key", "keyctl", "request_key", "io_uring_setup", "perf_event_open", "mq_open", "timer_create", "rt_sigqueueinfo", "pidfd_send_signal"} {
		if !strings.Contains(out, call+": ENOSYS\n") {
			t.Errorf("%s was not refused with ENOSYS (exit %d):\n%s", call, code, out)
		}
	}
	for _, call := range []string{"unshare(CLONE_NEWUSER)", "shmctl(SHM_LOCK)"} {
		if !strings.Contains(out, call+": EPERM\n") {
			t.Errorf("%s was not refused with EPERM (exit %d):\n%s", call, code, out)
		}
	}
	// ...while what the nested engine and labs use still works.
	for _, call := range []string{"unshare(CLONE_NEWUTS)", "kill(SIGRTMIN)", "pidfd_send_signal(no info)", "shmctl(IPC_STAT)"} {
		if !strings.Contains(out, call+": ok\n") {
			t.Errorf("%s was refused (exit %d):\n%s", call, code, out)
		}
	}

	// nsenter to PID 1 reaches the node's own agent, still in the node's
	// user namespace.
	out, code = run("nsenter -t 1 -m -u -i -n -p sh -c 'hostname; cat /proc/self/uid_map'")
	if f := strings.Fields(out); code != 0 || len(f) != 4 || f[0] != mine[0].Name || f[2] == "0" {
		t.Errorf("nsenter to PID 1: want the node itself, got exit %d:\n%s", code, out)
	}

	// Within those walls the nested engine works: a container with limits
	// of its own, under the node's.
	if _, err := cli.ImageInspect(ctx, labImage); err != nil {
		t.Logf("skipping the nested container check: %s is not on the engine (make images builds it)", labImage)
		return
	}
	if err := e.LoadImage(ctx, []string{node}, labImage); err != nil {
		t.Fatal(err)
	}
	out, code = run("docker run -d --name lim -m 64m --pids-limit 50 " + labImage + " sleep 60 >/dev/null && " +
		"id=$(docker inspect -f '{{.Id}}' lim) && cat /sys/fs/cgroup/memory/docker/$id/memory.limit_in_bytes /sys/fs/cgroup/pids/docker/$id/pids.max")
	if f := strings.Fields(out); code != 0 || len(f) != 2 || f[0] != "67108864" || f[1] != "50" {
		t.Errorf("a nested container with limits: exit %d:\n%s", code, out)
	}
}

// quotaProbes tries, as root in a node, each call that uses a quota every
// node shares, and a few neighbours that must keep working; it prints
// "call: ERRNO" or "call: ok" for each (amd64 and arm64 numbers).
const quotaProbes = `python3 - <<'EOF'
import ctypes, errno, os, platform, signal
libc = ctypes.CDLL(None, use_errno=True)
nr = {"x86_64": dict(add_key=248, keyctl=250, request_key=249, io_uring_setup=425, perf_event_open=298,
                     rt_sigqueueinfo=129, pidfd_send_signal=424, pidfd_open=434),
      "aarch64": dict(add_key=217, keyctl=219, request_key=218, io_uring_setup=425, perf_event_open=241,
                      rt_sigqueueinfo=138, pidfd_send_signal=424, pidfd_open=434)}[platform.machine()]
def show(name, r):
    e = ctypes.get_errno()
    print("%s: %s" % (name, "ok" if r >= 0 else errno.errorcode.get(e, e)), flush=True)
info = (ctypes.c_char * 128)()
ctypes.set_errno(0); show("add_key", libc.syscall(nr["add_key"], b"user", b"probe", b"x", 1, -2))
ctypes.set_errno(0); show("keyctl", libc.syscall(nr["keyctl"], 1, None))
ctypes.set_errno(0); show("request_key", libc.syscall(nr["request_key"], b"user", b"probe", None, 0))
ctypes.set_errno(0); show("io_uring_setup", libc.syscall(nr["io_uring_setup"], 8, info))
ctypes.set_errno(0); show("perf_event_open", libc.syscall(nr["perf_event_open"], info, 0, -1, -1, 0))
ctypes.set_errno(0); show("mq_open", libc.mq_open(b"/probe", os.O_CREAT | os.O_RDWR, 0o600, None))
t = ctypes.c_void_p()
ctypes.set_errno(0); show("timer_create", libc.timer_create(0, None, ctypes.byref(t)))
signal.signal(signal.SIGRTMIN, signal.SIG_IGN)
ctypes.set_errno(0); show("rt_sigqueueinfo", libc.syscall(nr["rt_sigqueueinfo"], os.getpid(), int(signal.SIGRTMIN), info))
ctypes.set_errno(0); show("kill(SIGRTMIN)", libc.kill(os.getpid(), int(signal.SIGRTMIN)))
pidfd = libc.syscall(nr["pidfd_open"], os.getpid(), 0)
ctypes.set_errno(0); show("pidfd_send_signal", libc.syscall(nr["pidfd_send_signal"], pidfd, int(signal.SIGRTMIN), info, 0))
ctypes.set_errno(0); show("pidfd_send_signal(no info)", libc.syscall(nr["pidfd_send_signal"], pidfd, int(signal.SIGRTMIN), None, 0))
shm = libc.shmget(0, 4096, 0o1600)
buf = (ctypes.c_char * 256)()
ctypes.set_errno(0); show("shmctl(SHM_LOCK)", libc.shmctl(shm, 11, None))
ctypes.set_errno(0); show("shmctl(IPC_STAT)", libc.shmctl(shm, 2, buf))
libc.shmctl(shm, 0, None)
for name, flag in (("unshare(CLONE_NEWUSER)", 0x10000000), ("unshare(CLONE_NEWUTS)", 0x04000000)):
    if os.fork() == 0:
        ctypes.set_errno(0); show(name, libc.unshare(flag)); os._exit(0)
    os.wait()
EOF`

// checkCgroupsApart mounts the memory hierarchy afresh in a node and checks
// that it shows the node's own cgroup (its limit) and nothing of another
// container, whose id is other.
func checkCgroupsApart(t *testing.T, e *Engine, node, other string) {
	t.Helper()
	// A copy of mount(8) without its setuid bit: on a remapping engine the
	// unsafe mode's image files belong to the remapped uid, and a setuid
	// mount would run as that uid.
	out, code, err := e.Exec(context.Background(), node, `d=$(mktemp -d); m=$(mktemp); cp /usr/bin/mount $m; chmod 700 $m; $m -t cgroup -o memory cgroup $d && cat $d/memory.limit_in_bytes; find /sys/fs/cgroup /run $d -maxdepth 4 2>/dev/null | grep -c `+other, 30*time.Second)
	if lines := strings.Fields(out); err != nil || len(lines) != 2 || lines[0] != fmt.Sprint(DefaultMemory) || lines[1] != "0" || code != 1 {
		t.Errorf("a fresh cgroup mount in the node: want its own limit and no trace of the other node, got exit %d, %v:\n%s", code, err, out)
	}
}

// Even the unsafe mode keeps each node's cgroups to itself: a private
// cgroup namespace means the node never sees, so never writes, another
// node's limits or freezer.
func TestUnsafeModeKeepsCgroupsApart(t *testing.T) {
	cli := testClient(t)
	e := testEngine(t, cli, Config{NodeImage: nodeImage(t, cli), Isolation: IsolationUnsafeHostRoot})
	_, mine := newSession(t, e, 7)
	_, theirs := newSession(t, e, 8)
	waitAll(t, e, append(append([]Node(nil), mine...), theirs...))
	checkCgroupsApart(t, e, mine[0].ContainerID, theirs[0].ContainerID)
	// The nested engine still works there: its cgroups are the node's own.
	out, code, err := e.Exec(context.Background(), mine[0].ContainerID, "mkdir /sys/fs/cgroup/pids/pgtest && rmdir /sys/fs/cgroup/pids/pgtest && echo ok", 30*time.Second)
	if err != nil || code != 0 || out != "ok\n" {
		t.Errorf("a child cgroup in an unsafe node: %q, %d, %v", out, code, err)
	}
}

// All the nodes of an instance share one memory cap below the host's
// memory: two nodes that each stay under their own limit but together pass
// the shared one meet the kernel's limit inside the nodes (a hog is killed
// there), and every node goes on running.
func TestNodesShareOneMemoryCap(t *testing.T) {
	cli := testClient(t)
	e := testEngine(t, cli, Config{NodeImage: nodeImage(t, cli), Memory: 512 << 20, NodesMemory: 700 << 20})
	_, nodes := newSession(t, e, 9)
	waitAll(t, e, nodes)
	ctx := context.Background()
	info, err := cli.ContainerInspect(ctx, nodes[0].ContainerID)
	if err != nil {
		t.Fatal(err)
	}
	if info.HostConfig.CgroupParent != parentCgroup(e.cfg.Instance) {
		t.Fatalf("cgroup parent %q, want %q", info.HostConfig.CgroupParent, parentCgroup(e.cfg.Instance))
	}
	if b, err := os.ReadFile("/sys/fs/cgroup/memory" + parentCgroup(e.cfg.Instance) + "/memory.limit_in_bytes"); err == nil {
		if strings.TrimSpace(string(b)) != fmt.Sprint(700<<20) {
			t.Errorf("the parent's memory limit on the host is %s", b)
		}
	}
	// Each hog holds about 300 MiB for a while (an idle node uses about 80):
	// under its node's 512 MiB, but two of them pass the shared 700 MiB.
	const hog = "(head -c 300m /dev/zero; sleep 8) | tail > /dev/null; echo rc=$?"
	outs := make([]string, 2)
	done := make(chan int, 2)
	for i := range outs {
		go func() {
			outs[i], _, _ = e.Exec(ctx, nodes[i].ContainerID, hog, 60*time.Second)
			done <- i
		}()
	}
	<-done
	<-done
	killed := 0
	for i, out := range outs {
		t.Logf("%s: %s", nodes[i].Name, strings.TrimSpace(out))
		if strings.Contains(out, "rc=137") {
			killed++
		}
	}
	if killed == 0 {
		t.Errorf("two hogs of 300 MiB, in nodes of about 80, ran to the end under a shared cap of 700 MiB")
	}
	for _, n := range nodes {
		if ok, err := e.NodeRunning(ctx, n.ContainerID); err != nil || !ok {
			t.Errorf("%s after the hogs: running %v, %v", n.Name, ok, err)
		}
	}
	// Alone, the same hog fits.
	if out, _, _ := e.Exec(ctx, nodes[2].ContainerID, hog, 60*time.Second); !strings.Contains(out, "rc=0") {
		t.Errorf("one hog alone: %s", out)
	}
}
