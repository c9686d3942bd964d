package e2e

// Sessions across hosts, on make cluster's three hosts: Swarm places them,
// a host paused or drained or killed is felt only by its own sessions, and
// a second server replica serves what the first made.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/docker/docker/api/types/swarm"

	pgclient "github.com/labplay/playground/client"
	"github.com/labplay/playground/internal/waitfor"
	"github.com/labplay/playground/sessions/cluster"
)

// Sessions land on more than one host, and the seed lab's swarm forms in a
// session on a worker host, its service's tasks running in nodes that are
// themselves swarm services.
func TestClusterSessionsSpreadAndSeedLab(t *testing.T) {
	h, c := newClusterHarness(t, "PLAYGROUND_MAX_SESSIONS_PER_ADDRESS=0")
	ctx := context.Background()
	hosts := map[string]string{} // session id → host
	var onWorker string
	var learner *pgclient.Client
	for i := 0; i < 6 && (len(distinct(hosts)) < 2 || onWorker == ""); i++ {
		c1 := pgclient.New(h.base)
		s, err := c1.CreateSession(ctx, "docker-orchestration", "en")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c1.DeleteSession(context.Background(), s.ID) })
		hosts[s.ID] = c.hostOf(s.ID)
		if c.host(hosts[s.ID]).Role != "manager" && onWorker == "" {
			onWorker, learner = s.ID, c1
		}
	}
	if len(distinct(hosts)) < 2 || onWorker == "" {
		t.Fatalf("sessions all on one host or none on a worker: %v", hosts)
	}
	t.Logf("sessions by host: %v", hosts)

	// The lab's image reaches the nodes from their host, before the lab
	// needs it.
	waitfor.Until(t, "the lab's images in the nodes", 3*time.Minute, func() error {
		s, err := learner.Session(ctx, onWorker)
		if err != nil {
			return err
		}
		if s.Phase != "" {
			return fmt.Errorf("phase %q", s.Phase)
		}
		return nil
	})
	term := map[string]*pgclient.Terminal{}
	for _, node := range []string{"node1", "node2", "node3"} {
		term[node] = attach(t, learner, onWorker, node)
	}
	out, code := clusterShell(t, term["node1"], "docker swarm init --advertise-addr $(hostname -i)", time.Minute)
	m := joinLineRE.FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("swarm init exited %d:\n%s", code, out)
	}
	for _, node := range []string{"node2", "node3"} {
		if out, code := clusterShell(t, term[node], "docker swarm join --token "+m[1]+" "+m[2], time.Minute); code != 0 {
			t.Fatalf("swarm join on %s exited %d:\n%s", node, code, out)
		}
	}
	waitfor.Until(t, "three ready nodes in the learner's swarm", time.Minute, func() error {
		out, _ := clusterShell(t, term["node1"], "docker node ls --format '{{.Status}}' | grep -c Ready", 30*time.Second)
		if !strings.Contains(out, "3") {
			return fmt.Errorf("docker node ls: %s", out)
		}
		return nil
	})
	if out, code := clusterShell(t, term["node1"], "docker service create -d --name web --replicas 3 mtbsoft/myipaddress", time.Minute); code != 0 {
		t.Fatalf("service create exited %d:\n%s", code, out)
	}
	waitfor.Until(t, "the learner's service at 3/3", 2*time.Minute, func() error {
		out, _ := clusterShell(t, term["node1"], "docker service ls --format '{{.Replicas}}'", 30*time.Second)
		if !strings.Contains(out, "3/3") {
			return fmt.Errorf("docker service ls: %s", out)
		}
		return nil
	})
}

// A paused host takes no new session while its own go on; a drained one
// ends them, saying so, and "playground hosts" shows it all.
func TestClusterPauseAndDrainAHost(t *testing.T) {
	h, c := newClusterHarness(t, "PLAYGROUND_MAX_SESSIONS_PER_ADDRESS=0")
	ctx := context.Background()
	// The first learner is in a class: after the drain, their page offers
	// their seat again.
	const teacherEmail = "teacher@cluster.example"
	h.addInstructor(teacherEmail, crPassword)
	teacher := pgclient.New(h.base)
	crLogin(t, teacher, teacherEmail)
	class, err := teacher.CreateClassroom(ctx, "Cluster class", "docker-orchestration", 0)
	if err != nil {
		t.Fatal(err)
	}
	learner := pgclient.New(h.base)
	first, err := learner.Join(ctx, class.Code, "Ada")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { learner.DeleteSession(context.Background(), first.ID) })
	paused := c.hostOf(first.ID)
	c.setAvailability(paused, swarm.NodeAvailabilityPause)
	for i := 0; i < 3; i++ {
		_, s := clusterSession(t, h.base)
		if got := c.hostOf(s.ID); got == paused {
			t.Fatalf("a new session went to %s, which is paused", paused)
		}
	}
	tm := attach(t, learner, first.ID, "node1")
	if out, code := clusterShell(t, tm, "echo still-$((20+1))", 30*time.Second); code != 0 || !strings.Contains(out, "still-21") {
		t.Fatalf("the paused host's session does not answer (exit %d): %s", code, out)
	}
	report := hostsReport(t, h, c)
	if r := report[paused]; r.Availability != "pause" || r.Sessions != 1 || r.Nodes != 3 || r.MemoryReserved != 3*cluster.DefaultReservation {
		t.Errorf("playground hosts says of %s: %+v", paused, r)
	}

	c.setAvailability(paused, swarm.NodeAvailabilityDrain)
	waitfor.Until(t, "the drained host's session ended", time.Minute, func() error {
		s, err := learner.Session(ctx, first.ID)
		if err != nil {
			return err
		}
		if s.Status != "ended" {
			return fmt.Errorf("status %s", s.Status)
		}
		if s.EndedBecause != "host_serviced" || s.ClassCode != class.Code {
			t.Fatalf("ended because %q with class code %q, want host_serviced and %q", s.EndedBecause, s.ClassCode, class.Code)
		}
		return nil
	})
	// Start again, as the page's button does: the same seat, another host.
	again, err := learner.Join(ctx, class.Code, "")
	if err != nil {
		t.Fatalf("taking the seat again: %v", err)
	}
	t.Cleanup(func() { learner.DeleteSession(context.Background(), again.ID) })
	if again.ID == first.ID || again.Status != "running" || c.hostOf(again.ID) == paused {
		t.Fatalf("the seat again: session %s (%s) on %s", again.ID, again.Status, c.hostOf(again.ID))
	}
	if r := hostsReport(t, h, c)[paused]; r.Availability != "drain" || r.Sessions != 0 {
		t.Errorf("playground hosts says of the drained %s: %+v", paused, r)
	}
}

// A host's engine killed ends only its sessions: the learner's page says
// the machine stopped answering and starts again elsewhere in one click;
// another learner's shell on another host still echoes; the host, back,
// is swept.
func TestClusterHostKilled(t *testing.T) {
	h, c := newClusterHarness(t, "PLAYGROUND_MAX_SESSIONS_PER_ADDRESS=0")
	// The manager keeps the swarm: sessions go to the workers only.
	for _, hst := range c.hosts {
		if hst.Role == "manager" {
			c.setAvailability(hst.Name, swarm.NodeAvailabilityPause)
		}
	}
	tab := newTab(t)
	_, victimID := startFromHome(t, tab, h.base, "en")
	victimHost := c.hostOf(victimID)
	var other *pgclient.Client
	var bystander *pgclient.Session
	for i := 0; i < 4 && bystander == nil; i++ {
		o, s := clusterSession(t, h.base)
		if c.hostOf(s.ID) != victimHost {
			bystander, other = s, o
		}
	}
	if bystander == nil {
		t.Fatalf("no session landed beside %s", victimHost)
	}
	bt := attach(t, other, bystander.ID, "node1")

	pid := c.host(victimHost).EnginePID
	// hosts.json is as fresh as the last up: the pid must still be that
	// engine's before it is killed.
	if comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); err != nil || strings.TrimSpace(string(comm)) != "dockerd" {
		t.Fatalf("pid %d of hosts.json is not %s's dockerd (%q, %v): deploy/cluster.sh up writes it again", pid, victimHost, comm, err)
	}
	parent := engineCgroupParent(t, pid)
	t.Logf("killing %s's engine (pid %d)", victimHost, pid)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.restartHost(victimHost) })
	var banner string
	waitfor.Every(t, time.Second, "the page to say the session ended", 2*time.Minute, func() error {
		banner = tabEval[string](t, tab, `(() => { const b = document.querySelector('[data-testid="session-banner"]'); return b && b.classList.contains('final') ? b.textContent : ''; })()`)
		if banner == "" {
			return errors.New("no final banner yet:\n" + tabState(tab))
		}
		return nil
	})
	if !strings.Contains(banner, "stopped answering") || !strings.Contains(banner, "progress is kept") {
		t.Fatalf("the page says: %q", banner)
	}
	if out, code := clusterShell(t, bt, "echo alive-$((40+2))", 30*time.Second); code != 0 || !strings.Contains(out, "alive-42") {
		t.Fatalf("a session on another host does not answer (exit %d): %s", code, out)
	}
	tabDo(t, tab, "start again", chromedp.Click(chromedp.CSS(`[data-testid="start-again"]`)))
	tabWait(t, tab, "a new session's page", fmt.Sprintf(`location.pathname.startsWith('/s/') && !location.pathname.includes(%q) && document.querySelectorAll('.xterm').length > 0`, victimID))
	again := strings.TrimPrefix(tabEval[string](t, tab, `location.pathname`), "/s/")
	if got := c.hostOf(again); got == victimHost {
		t.Fatalf("the new session is on %s, whose engine is dead", got)
	}
	if code := tabEval[int](t, tab, `fetch(location.pathname.replace('/s/', '/api/sessions/'), {method: 'DELETE'}).then((r) => r.status)`); code != http.StatusNoContent {
		t.Errorf("ending the new session from its page: %d", code)
	}
	// Back, the host is swept of the ended session's nodes, and checked
	// again: its nodes' shared caps, gone as after a reboot, are written
	// again before it takes a session.
	writeCgroup(t, "memory", parent, "memory.limit_in_bytes", "-1")
	c.restartHost(victimHost)
	waitfor.Until(t, victimHost+" swept of the ended session", 2*time.Minute, func() error {
		if left := c.onHost(victimHost, h.instance); len(left) > 0 {
			return fmt.Errorf("still there: %s", strings.Join(left, "; "))
		}
		return nil
	})
	waitfor.Until(t, victimHost+"'s caps written again", time.Minute, func() error {
		if got := readCgroup(t, "memory", parent, "memory.limit_in_bytes"); got == "9223372036854771712" {
			return fmt.Errorf("%s has no memory cap", parent)
		}
		return nil
	})
}

// A second server replica on the same database serves a terminal of a
// session the first one made, and a limit holds across the two.
func TestClusterSecondReplica(t *testing.T) {
	h, _ := newClusterHarness(t, "PLAYGROUND_MAX_SESSIONS_PER_ADDRESS=1")
	ctx := context.Background()
	baseB := h.addServer("B")
	onA, s := clusterSession(t, h.base)
	onB := pgclient.New(baseB)
	onB.HTTP.Jar = onA.HTTP.Jar // the same learner, through the other replica
	tm := attach(t, onB, s.ID, "node2")
	if out, code := clusterShell(t, tm, "hostname; echo via-$((1+1))", 30*time.Second); code != 0 || !strings.Contains(out, "node2") || !strings.Contains(out, "via-2") {
		t.Fatalf("replica B's terminal (exit %d): %s", code, out)
	}
	// One session per address: a second one through B is refused.
	_, err := pgclient.New(baseB).CreateSession(ctx, "", "")
	var apiErr *pgclient.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusConflict || !strings.Contains(apiErr.Message, "network already has 1") {
		t.Fatalf("a second session from the same address through replica B: %v", err)
	}
}

// When no host has room, the learner is told the playground is full, with
// a time to try again, and nothing is left behind.
func TestClusterFull(t *testing.T) {
	// Each node reserves more memory than the largest host has: no host
	// holds a session, whatever this machine's memory.
	c := needCluster(t)
	nodes, err := c.manager.NodeList(context.Background(), swarm.NodeListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var most int64
	for _, n := range nodes {
		most = max(most, n.Description.Resources.MemoryBytes)
	}
	h := c.serve(t, fmt.Sprintf("PLAYGROUND_NODE_RESERVATION=%d", most>>20+1), "PLAYGROUND_MAX_SESSIONS=10")
	_, err = pgclient.New(h.base).CreateSession(context.Background(), "", "")
	var apiErr *pgclient.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusServiceUnavailable || apiErr.Code != "full" || apiErr.RetryAfter <= 0 {
		t.Fatalf("a session on a full cluster: %v", err)
	}
	if !strings.Contains(apiErr.Message, "full") {
		t.Errorf("the message does not say the playground is full: %q", apiErr.Message)
	}
}

// hostsReport runs "playground hosts --json" against the cluster.
func hostsReport(t *testing.T, h *harness, c *clusterEnv) map[string]cluster.HostReport {
	t.Helper()
	cmd := exec.Command(h.bin, "hosts", "--json")
	cmd.Env = append(append(os.Environ(), c.env()...), "PLAYGROUND_INSTANCE="+h.instance)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("playground hosts --json: %v\n%s", err, out)
	}
	var list []cluster.HostReport
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatalf("playground hosts --json: %v\n%s", err, out)
	}
	byName := map[string]cluster.HostReport{}
	for _, r := range list {
		byName[r.Name] = r
	}
	if len(byName) != len(c.hosts) {
		t.Fatalf("playground hosts lists %d hosts, want %d:\n%s", len(byName), len(c.hosts), out)
	}
	return byName
}

// distinct returns the distinct values of m.
func distinct(m map[string]string) map[string]bool {
	out := map[string]bool{}
	for _, v := range m {
		out[v] = true
	}
	return out
}

// shellMarks numbers clusterShell's end markers.
var shellMarks atomic.Int64

// clusterShell runs cmd in a terminal's shell and returns what it printed
// and its exit status, read from a marker the shell prints after it.
func clusterShell(t *testing.T, tm *pgclient.Terminal, cmd string, limit time.Duration) (string, int) {
	t.Helper()
	n := shellMarks.Add(1)
	from := len(tm.Output())
	if err := tm.Send(fmt.Sprintf("%s; echo @@cl%d:$?\r", cmd, n)); err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(fmt.Sprintf(`@@cl%d:([0-9]+)`, n))
	var out string
	var code int
	waitfor.Until(t, "the command "+cmd, limit, func() error {
		shown := tm.OutputFrom(from)
		m := re.FindStringSubmatchIndex(shown)
		if m == nil {
			return fmt.Errorf("the terminal shows: %q", tail(shown, 300))
		}
		code, _ = strconv.Atoi(shown[m[2]:m[3]])
		// What the command printed: after the line that echoes it, before
		// the mark (the echoed line's mark says $?, not a number).
		out = shown[:m[0]]
		if i := strings.Index(out, fmt.Sprintf("echo @@cl%d:$?", n)); i >= 0 {
			out = out[i:]
			if nl := strings.IndexByte(out, '\n'); nl >= 0 {
				out = out[nl+1:]
			} else {
				out = ""
			}
		}
		return nil
	})
	return out, code
}
