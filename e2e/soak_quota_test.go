package e2e

// The shared kernel limits of the fault and abuse suite: quotas the kernel
// counts per host user, which every node of a host shares.

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

var (
	//go:embed testdata/quotas.py
	quotasScript []byte
	//go:embed testdata/victim.py
	victimScript []byte
)

// quotaLine is one kind's line of quotas.py, "kind taken/asked [errno]"
// (the first may follow the carriage return of bash's bracketed-paste reset).
var quotaLine = regexp.MustCompile(`(?m)(?:^|\r)([a-z0-9-]+) (\d+)/(\d+)( [A-Z]+)?\r?$`)

// A learner takes, in their node, every kernel quota that is counted per
// host user (as far as the node allows: make soak asks for 19,000 of each,
// make test for 2,000, above every such default quota of the host), and
// holds it. Meanwhile another learner opens a new terminal, runs a check,
// uses each of those quotas in their own node, and a third starts a cold
// session: all answer as usual, and the host's root can still make an
// inotify instance. Before the fix, 179 keys or 128 inotify instances in
// one node were enough to stop everyone.
func TestSoakSharedKernelLimits(t *testing.T) {
	n := 2000
	if soakScale().sessions > 3 {
		n = 19000 // one process's descriptors (the node's RLIMIT_NOFILE is 20000)
	}
	h := newHarness(t)
	ctx := context.Background()
	abuser, victim, newcomer := learnerClient(h.base, 21), learnerClient(h.base, 22), learnerClient(h.base, 23)
	bad, err := abuser.CreateSession(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { abuser.DeleteSession(context.Background(), bad.ID) })
	good, err := victim.CreateSession(ctx, "docker-basics", "en")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { victim.DeleteSession(context.Background(), good.ID) })

	// The abuse, held in the background of the abuser's shell.
	if _, err := abuser.Upload(ctx, bad.ID, "node1", "/root/quotas.py", bytes.NewReader(quotasScript), int64(len(quotasScript))); err != nil {
		t.Fatal(err)
	}
	at, err := abuser.Terminal(ctx, bad.ID, "node1")
	if err != nil {
		t.Fatal(err)
	}
	defer at.Close()
	at.Send(fmt.Sprintf("python3 /root/quotas.py %d\r", n))
	if err := at.WaitOutput("quotas-held", 3*time.Minute); err != nil {
		t.Fatalf("the abuse did not take hold: %v\n%s", err, tail(at.Output(), 1500))
	}
	taken := map[string]string{}
	for _, m := range quotaLine.FindAllStringSubmatch(at.Output(), -1) {
		taken[m[1]] = m[2] + "/" + m[3] + m[4]
		refused := m[2] == "0" && (m[4] == " ENOSYS" || m[4] == " EPERM")
		if !refused && m[2] != m[3] {
			t.Errorf("%s: the node stopped at %s%s, before its own limit", m[1], m[2], m[4])
		}
	}
	for kind, want := range map[string]string{"keys": "0/", "mqueues": "0/", "posix-timers": "0/"} {
		if !strings.HasPrefix(taken[kind], want) || !strings.HasSuffix(taken[kind], "ENOSYS") {
			t.Errorf("%s: %q taken, want none (refused with ENOSYS)", kind, taken[kind])
		}
	}
	for _, kind := range []string{"inotify-instances", "inotify-watches", "epoll-watches", "pipes", "uid1000-processes"} {
		if taken[kind] == "" || strings.HasPrefix(taken[kind], "0/") {
			t.Errorf("%s: %q taken; the abuse must hold some to prove anything", kind, taken[kind])
		}
	}
	soakFigure(t, "one node takes every per-user quota", "%v", taken)

	// The host's own root is not stopped.
	if fd, err := syscall.InotifyInit1(syscall.IN_CLOEXEC); err != nil {
		t.Errorf("the host's root cannot make an inotify instance while a node holds %s: %v", taken["inotify-instances"], err)
	} else {
		syscall.Close(fd)
	}

	// Another learner: a new terminal, a check, and each quota in their
	// own node.
	start := time.Now()
	vt, err := victim.Terminal(ctx, good.ID, "node1")
	if err != nil {
		t.Fatalf("another learner's new terminal: %v", err)
	}
	defer vt.Close()
	if err := vt.WaitReplayed(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	vt.Send("echo fresh-$((6*7))\r")
	if err := vt.WaitOutput("fresh-42", 30*time.Second); err != nil {
		t.Fatalf("another learner's new terminal does not answer: %v", err)
	}
	soakFigure(t, "another learner's new terminal, meanwhile", "echo after %v", time.Since(start).Round(time.Millisecond))
	if _, err := victim.Check(ctx, good.ID, "first"); err != nil {
		t.Errorf("another learner's check, meanwhile: %v", err)
	}
	if _, err := victim.Upload(ctx, good.ID, "node1", "/root/victim.py", bytes.NewReader(victimScript), int64(len(victimScript))); err != nil {
		t.Fatal(err)
	}
	vt.Send("python3 /root/victim.py\r")
	if err := vt.WaitOutput("victim-done", time.Minute); err != nil {
		t.Fatalf("victim.py: %v\n%s", err, tail(vt.Output(), 1500))
	}
	out := vt.Output()
	if strings.Contains(out, "FAILED") {
		t.Errorf("another learner's node lost a quota to the abuser's:\n%s", tail(out, 1200))
	}
	if c := strings.Count(out, "victim: "); c < 5 {
		t.Errorf("victim.py reported %d kinds, want 5:\n%s", c, tail(out, 1200))
	}

	// A third learner starts a cold session (the harness has no pool).
	start = time.Now()
	fresh, err := newcomer.CreateSession(ctx, "", "")
	if err != nil {
		t.Fatalf("a cold session while one node holds every per-user quota: %v", err)
	}
	t.Cleanup(func() { newcomer.DeleteSession(context.Background(), fresh.ID) })
	soakFigure(t, "a cold session, meanwhile", "running after %v", time.Since(start).Round(time.Millisecond))
	if fresh.Status != "running" {
		t.Errorf("the cold session is %q", fresh.Status)
	}
}

// tail returns the last n bytes of s.
func tail(s string, n int) string { return s[max(0, len(s)-n):] }
