package manager

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/engine"
)

// inNode runs script in the session's node1 and returns its output; a
// non-zero exit fails the test.
func (e *testEnv) inNode(t *testing.T, s *sessions.Session, script string) string {
	t.Helper()
	out, code, err := e.engine.Exec(context.Background(), s.Nodes[0].ContainerID, script, time.Minute)
	if err != nil || code != 0 {
		t.Fatalf("%q in node1: exit %d, %v\n%s", script, code, err, out)
	}
	return strings.TrimSpace(out)
}

// nodeRunning reports whether the session's node1 runs.
func (e *testEnv) nodeRunning(t *testing.T, s *sessions.Session) bool {
	t.Helper()
	up, err := e.engine.NodeRunning(context.Background(), s.Nodes[0].ContainerID)
	if err != nil {
		t.Fatal(err)
	}
	return up
}

// leaveWork writes a file, makes an image, a volume and a container and
// starts a swarm in the session's node.
func (e *testEnv) leaveWork(t *testing.T, s *sessions.Session) {
	t.Helper()
	e.inNode(t, s, `echo kept-42 > /root/keep.txt && docker volume create keepvol >/dev/null &&
		mkdir -p /tmp/empty && tar -c -C /tmp/empty . | docker import - keep:1 >/dev/null &&
		docker create --name keeper keep:1 /nothing >/dev/null &&
		docker swarm init --advertise-addr `+s.Nodes[0].Address+` >/dev/null`)
}

// checkWork fails the test unless what leaveWork left is all there.
func (e *testEnv) checkWork(t *testing.T, s *sessions.Session) {
	t.Helper()
	got := e.inNode(t, s, `cat /root/keep.txt; docker volume ls -q --filter name=keepvol; docker ps -a --format '{{.Names}} {{.Image}}';
		docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}'`)
	want := "kept-42\nkeepvol\nkeeper keep:1\nactive true"
	if got != want {
		t.Errorf("after the pause the node has\n%s\nwant\n%s", got, want)
	}
}

// Pausing stops a session's node and gives its memory back to the host;
// everything on its disk stays (a file, an image, a volume, a container,
// the inner engine's swarm), the periodic work leaves it stopped, its clock
// stands still, and resuming brings it all back. Only its owner may pause
// or resume it.
func TestPauseAndResumeKeepEverything(t *testing.T) {
	env := newTestEnv(t, Config{LabNodes: oneNodeLabs, PausedLifetime: 48 * time.Hour}, engine.Config{})
	ctx := context.Background()
	s := env.startOne(t, "ana")
	env.leaveWork(t, s)

	// Strangers: as for a session that does not exist, and nothing changes.
	for op, fn := range map[string]func(user, id string) error{
		"Pause":  func(user, id string) error { _, err := env.m.Pause(ctx, user, id); return err },
		"Resume": func(user, id string) error { _, err := env.m.Resume(ctx, user, id); return err },
	} {
		err := fn("bob", s.ID)
		wantCode(t, "bob's "+op+" of ana's session", err, fault.ENOTFOUND)
		if unknown := fn("bob", sessions.NewID()); fault.ErrorMessage(err) != fault.ErrorMessage(unknown) {
			t.Errorf("bob's %s says %q; of an unknown session, %q", op, fault.ErrorMessage(err), fault.ErrorMessage(unknown))
		}
	}
	if !env.nodeRunning(t, s) {
		t.Fatal("bob's attempts stopped ana's node")
	}

	anonBefore, usageBefore, err := env.engine.NodesMemoryUse(ctx)
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	paused, err := env.m.Pause(ctx, "ana", s.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pause took %s", time.Since(began).Round(time.Millisecond))
	if paused.Status != sessions.StatusPaused || paused.PausedAt == nil || paused.PausedUntil == nil {
		t.Fatalf("paused session = %+v, want status paused with its times", paused)
	}
	if d := paused.PausedUntil.Sub(*paused.PausedAt); d != 48*time.Hour {
		t.Errorf("a paused session is kept %s, want the configured 48h", d)
	}
	left := paused.ExpiresAt.Sub(*paused.PausedAt)
	if env.nodeRunning(t, s) {
		t.Fatal("the paused session's node still runs")
	}
	anonAfter, usageAfter, err := env.engine.NodesMemoryUse(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("nodes' memory: anon %d MiB -> %d MiB, cgroup usage %d MiB -> %d MiB",
		anonBefore>>20, anonAfter>>20, usageBefore>>20, usageAfter>>20)
	if anonBefore < 10<<20 || anonAfter > anonBefore/4 {
		t.Errorf("the nodes' processes held %d MiB before the pause and %d MiB after; want most of it given back", anonBefore>>20, anonAfter>>20)
	}
	list, err := env.m.List(ctx, "ana")
	if err != nil || len(list) != 1 || list[0].Status != sessions.StatusPaused {
		t.Errorf("ana's list = %v, %v; want her session, paused", list, err)
	}
	_, err = env.m.Extend(ctx, "ana", s.ID)
	wantCode(t, "extending a paused session", err, fault.ECONFLICT)
	if again, err := env.m.Pause(ctx, "ana", s.ID); err != nil || again.Status != sessions.StatusPaused {
		t.Errorf("pausing a paused session = %v, %v; want it as it is", again, err)
	}

	// The periodic work leaves a paused session's node stopped.
	if err := env.m.Reconcile(ctx, true); err != nil {
		t.Fatal(err)
	}
	env.m.bg.Wait()
	if env.nodeRunning(t, s) {
		t.Fatal("Reconcile revived a paused session's node")
	}
	if status, _, _ := env.endReason(t, s.ID); status != sessions.StatusPaused {
		t.Fatalf("after Reconcile the session is %s, want paused", status)
	}

	time.Sleep(2 * time.Second) // time paused, which must not count
	began = time.Now()
	resumed, err := env.m.Resume(ctx, "ana", s.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("resume took %s", time.Since(began).Round(time.Millisecond))
	if resumed.Status != sessions.StatusRunning || resumed.PausedAt != nil || resumed.Nodes[0].Status != sessions.NodeRunning {
		t.Fatalf("resumed session = %+v, want it running with its node", resumed)
	}
	if got := time.Until(resumed.ExpiresAt); got < left-5*time.Second || got > left+time.Second {
		t.Errorf("after the pause the session has %s left, want the %s it had when paused", got, left)
	}
	if resumed.PausedTotal < 2*time.Second {
		t.Errorf("the session was paused %s in all, want at least 2s", resumed.PausedTotal)
	}
	env.checkWork(t, resumed)
}

// A session nobody uses is paused by the periodic work, but not while a
// terminal of its owner's is attached; attaching a terminal to a paused
// session wakes it. A session paused longer than PausedLifetime ends, its
// clock having stood still meanwhile.
func TestPauseWhenIdleAndEndWhenPausedTooLong(t *testing.T) {
	env := newTestEnv(t, Config{LabNodes: oneNodeLabs, IdlePause: 10 * time.Minute, PausedLifetime: 3 * time.Hour}, engine.Config{})
	ctx := context.Background()
	s := env.startOne(t, "ana")
	env.inNode(t, s, "echo kept-42 > /root/keep.txt")

	term, err := env.m.Attach(ctx, s, "node1", Attachment{Term: "main"})
	if err != nil {
		t.Fatal(err)
	}
	env.m.tick(ctx, time.Now().Add(15*time.Minute))
	env.m.bg.Wait()
	if status, _, _ := env.endReason(t, s.ID); status != sessions.StatusRunning {
		t.Fatalf("with a terminal attached the session is %s, want running", status)
	}
	term.Close()

	// The tick above recorded the terminal's use at its own time, 15
	// minutes on; 15 minutes after that the session has been unused long
	// enough.
	env.m.tick(ctx, time.Now().Add(30*time.Minute))
	env.m.bg.Wait()
	if status, _, _ := env.endReason(t, s.ID); status != sessions.StatusPaused {
		t.Fatalf("15 minutes unused, the session is %s, want paused", status)
	}
	if env.nodeRunning(t, s) {
		t.Fatal("the idle session's node still runs")
	}

	// A terminal wakes it.
	paused, err := env.m.Get(ctx, "ana", s.ID)
	if err != nil {
		t.Fatal(err)
	}
	term, err = env.m.Attach(ctx, paused, "node1", Attachment{Term: "main"})
	if err != nil {
		t.Fatalf("attaching to a paused session: %v", err)
	}
	term.Close()
	if paused.Status != sessions.StatusRunning || !env.nodeRunning(t, s) {
		t.Fatalf("after an attach the session is %s, want running", paused.Status)
	}
	if got := env.inNode(t, s, "cat /root/keep.txt"); got != "kept-42" {
		t.Errorf("after the idle pause the file holds %q", got)
	}

	// Paused again; two hours on, past its lifetime of one hour but not
	// its paused lifetime, it is still there; four hours on it ends.
	if _, err := env.m.Pause(ctx, "ana", s.ID); err != nil {
		t.Fatal(err)
	}
	env.m.tick(ctx, time.Now().Add(2*time.Hour))
	env.m.bg.Wait()
	if status, reason, _ := env.endReason(t, s.ID); status != sessions.StatusPaused {
		t.Fatalf("two hours paused the session is %s (%s), want paused: its clock stands still", status, reason)
	}
	env.m.tick(ctx, time.Now().Add(4*time.Hour))
	env.m.bg.Wait()
	if status, reason, _ := env.endReason(t, s.ID); status != sessions.StatusEnded || reason != "paused too long" {
		t.Fatalf("four hours paused the session is %s (%q), want ended, paused too long", status, reason)
	}
	nodes, err := env.engine.Nodes(ctx, s.ID)
	if err != nil || len(nodes) != 0 {
		t.Errorf("an ended paused session's nodes: %v, %v; want none", nodes, err)
	}
	_, err = env.m.Resume(ctx, "ana", s.ID)
	wantCode(t, "resuming an ended session", err, fault.ECONFLICT)
}

// Paused sessions count against the host's paused budget and against
// their learner's sessions, never against the host's live sessions; a
// resume needs room among those.
func TestPauseCaps(t *testing.T) {
	env := newTestEnv(t, Config{LabNodes: oneNodeLabs, MaxSessions: 1, MaxPerLearner: 1, MaxPaused: 1}, engine.Config{})
	ctx := context.Background()
	a := env.startOne(t, "ana")
	if _, err := env.m.Pause(ctx, "ana", a.ID); err != nil {
		t.Fatal(err)
	}
	// Ana's paused session is still one of hers.
	_, err := env.m.Create(ctx, NewSession{UserID: "ana", ClientAddr: "127.0.0.1", Lab: oneNode})
	wantCode(t, "ana's second session while her first is paused", err, fault.ECONFLICT)
	// But it leaves the host's one place free.
	b := env.startOne(t, "bob")
	// The budget keeps one paused session: bob's cannot pause.
	_, err = env.m.Pause(ctx, "bob", b.ID)
	wantCode(t, "a pause over the paused budget", err, fault.EFULL)
	if !env.nodeRunning(t, b) {
		t.Error("a refused pause stopped the node")
	}
	// The host is full: ana's session cannot resume, and stays paused.
	_, err = env.m.Resume(ctx, "ana", a.ID)
	wantCode(t, "a resume on a full host", err, fault.EFULL)
	if got, err := env.m.Get(ctx, "ana", a.ID); err != nil || got.Status != sessions.StatusPaused {
		t.Errorf("after a refused resume ana's session = %v, %v; want paused", got, err)
	}
	if err := env.m.Delete(ctx, "bob", b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.m.Resume(ctx, "ana", a.ID); err != nil {
		t.Fatalf("resume once the host has room: %v", err)
	}
}
