package e2e

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"

	pgclient "github.com/labplay/playground/client"
	"github.com/labplay/playground/internal/waitfor"
)

var (
	joinLineRE = regexp.MustCompile(`docker swarm join --token (SWMTKN-1-[0-9a-z-]+) ([0-9.]+:2377)`)
	tokenRE    = regexp.MustCompile(`(?m)^(SWMTKN-1-[0-9a-z-]+)$`)
	historyRE  = regexp.MustCompile(`^\s*[0-9]+\s+(.*)$`)
	markerRE   = regexp.MustCompile(`(?m)^@@e2e[0-9]+:[0-9]+$`)
)

// queryLine makes the terminal answer two queries, Device Attributes and
// the cursor position, and reads both answers in the shell. The queries
// stay in the scrollback, so a page that reattaches renders them again and
// xterm answers them again: those answers must not reach the shell.
const queryLine = `printf '\033[c'; read -rs -d c da; printf '\033[6n'; read -rs -d R pos; echo answered`

// The three terminals of a session in the browser: typing with real keys,
// a swarm built across the nodes, and a reload that shows the scrollback
// again without typing anything into the shells.
func TestTerminalsInTheBrowser(t *testing.T) {
	h := newHarness(t)
	ctx := newTab(t)
	p, id := startFromHome(t, ctx, h.base, "en")
	var typed []string // what went into node1's shell, in order
	shell := func(node, cmd string, keys bool) (string, int) {
		t.Helper()
		out, code := p.shell(node, cmd, keys)
		if node == "node1" {
			typed = append(typed, p.lastLine)
		}
		return out, code
	}

	initCmd := "docker swarm init --advertise-addr $(hostname -i)"
	initOut, code := shell("node1", initCmd, true)
	if code != 0 || !strings.Contains(initOut, "Swarm initialized") {
		t.Fatalf("%s exited %d:\n%s", initCmd, code, initOut)
	}
	m := joinLineRE.FindStringSubmatch(initOut)
	if m == nil {
		t.Fatalf("no join command in the output of swarm init:\n%s", initOut)
	}
	managerAddr := m[2]

	if out, code := shell("node1", queryLine, true); code != 0 || !strings.Contains(out, "answered") {
		t.Fatalf("the terminal did not answer the queries (exit %d):\n%s", code, out)
	}

	out, code := shell("node1", "docker swarm join-token -q worker", false)
	tm := tokenRE.FindStringSubmatch(out)
	if code != 0 || tm == nil {
		t.Fatalf("docker swarm join-token -q worker exited %d:\n%s", code, out)
	}
	if tm[1] != m[1] {
		t.Errorf("join-token says %s, swarm init said %s", tm[1], m[1])
	}
	join := "docker swarm join --token " + tm[1] + " " + managerAddr
	for i, node := range []string{"node2", "node3"} {
		out, code := shell(node, join, i == 0) // node2 by keys, node3 through the hook
		if code != 0 || !strings.Contains(out, "This node joined a swarm as a worker.") {
			t.Fatalf("the join on %s exited %d:\n%s", node, code, out)
		}
	}

	// Once a second: each try is a command typed into node1's shell.
	waitfor.Every(t, time.Second, "docker node ls on node1 to show node1, node2 and node3 Ready", time.Minute, func() error {
		out, code := shell("node1", "docker node ls", false)
		ready := readyNodes(out)
		if code == 0 && len(ready) == 3 && ready["node1"] && ready["node2"] && ready["node3"] {
			return nil
		}
		return fmt.Errorf("exit %d:\n%s", code, out)
	})

	// Reload: the scrollback comes back, and the queries in it are answered
	// by xterm again while it is replayed; none of that may reach the shell.
	before := p.waitText("node1", "a prompt", atPrompt)
	markers := markerRE.FindAllString(before, -1)
	lastMarker := markers[len(markers)-1]
	tabDo(t, ctx, "reload", chromedp.Reload())
	p.waitConnected()
	after := p.waitText("node1", "the scrollback after the reload", func(s string) bool {
		return strings.Contains(s, "Swarm initialized") && strings.Contains(s, "answered") &&
			strings.Contains(s, lastMarker) && prompts(s) >= prompts(before)
	})
	if !strings.Contains(after, m[0]) {
		t.Errorf("the join command of swarm init is not in node1's scrollback after the reload")
	}
	if !atPrompt(after) {
		t.Fatalf("node1's last line after the reload is not a bare prompt: %q", lastLines(after, 1))
	}
	for _, node := range []string{"node2", "node3"} {
		p.waitText(node, "the join in the scrollback after the reload", func(s string) bool {
			return strings.Contains(s, "This node joined a swarm as a worker.")
		})
	}

	// The real proof: the shell's history holds exactly what was typed.
	hist, code := shell("node1", "history "+strconv.Itoa(len(typed)+1), true)
	if code != 0 {
		t.Fatalf("history exited %d:\n%s", code, hist)
	}
	var got []string
	for _, l := range strings.Split(hist, "\n") {
		if hm := historyRE.FindStringSubmatch(l); hm != nil {
			got = append(got, hm[1])
		}
	}
	if strings.Join(got, "\n") != strings.Join(typed, "\n") {
		t.Errorf("node1's history is not what was typed (junk reached the shell?)\ngot:\n%s\nwant:\n%s",
			strings.Join(got, "\n"), strings.Join(typed, "\n"))
	}
	p.endSession(id)
}

// readyNodes returns the hostnames that docker node ls lists as Ready.
func readyNodes(out string) map[string]bool {
	ready := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		for i, w := range f {
			if strings.HasPrefix(w, "node") && i+1 < len(f) && f[i+1] == "Ready" {
				ready[w] = true
			}
		}
	}
	return ready
}

// The shells live in the node agents: a server stopped by SIGTERM or
// killed outright, then started again on the same port and database,
// reattaches to the same shell with its scrollback.
func TestShellsSurviveServerRestart(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	c := pgclient.New(h.base)
	s, err := c.CreateSession(ctx, "", "")
	if err != nil {
		t.Fatalf("create a session: %v", err)
	}
	term := attach(t, c, s.ID, "node1")
	pid := term.PID()
	if err := term.Send("echo MARK''ER-before-restarts\r"); err != nil {
		t.Fatal(err)
	}
	if err := term.WaitOutput("MARKER-before-restarts", time.Minute); err != nil {
		t.Fatal(err)
	}

	for i, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		marker := "MARKER-" + strconv.Itoa(i) + "-" + sig.String()
		markerTyped := strings.Replace(marker, "MARKER", "MARK''ER", 1)
		if err := term.Send("echo '" + markerTyped + "'\r"); err != nil {
			t.Fatal(err)
		}
		if err := term.WaitOutput(marker, time.Minute); err != nil {
			t.Fatal(err)
		}
		exit := h.kill(sig)
		if sig == syscall.SIGTERM {
			if exit != nil {
				t.Errorf("the server exited with %s after SIGTERM, want status 0", describeExit(exit))
			}
			// The browser is told to reconnect: 1001, going away.
			err := term.WaitClosed(30 * time.Second)
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
				t.Errorf("after SIGTERM the terminal ended with %v, want close code 1001", err)
			}
		} else if got, ok := exitSignal(exit); !ok || got != syscall.SIGKILL {
			t.Fatalf("the server exited with %s, want killed by SIGKILL", describeExit(exit))
		}
		term.Close()

		h.restart()
		if got, err := c.Session(ctx, s.ID); err != nil || got.Status != "running" {
			t.Fatalf("after %v and a new start the session is %+v (err %v), want running", sig, got, err)
		}
		term = attach(t, c, s.ID, "node1")
		if term.PID() != pid {
			t.Errorf("after %v: shell PID %d, want the same shell %d", sig, term.PID(), pid)
		}
		for _, want := range []string{"MARKER-before-restarts", marker} {
			if !strings.Contains(term.Output(), want) {
				t.Errorf("after %v the scrollback lacks %s:\n%s", sig, want, lastLines(term.Output(), 20))
			}
		}
		n := len(term.Output())
		if err := term.Send("echo ALI''VE-" + strconv.Itoa(i) + "\r"); err != nil {
			t.Fatal(err)
		}
		if err := term.WaitOutputAfter(n, "ALIVE-"+strconv.Itoa(i), time.Minute); err != nil {
			t.Fatalf("after %v the shell does not answer: %v\n%s", sig, err, lastLines(term.OutputFrom(n), 20))
		}
	}
	term.Close()
	if err := c.DeleteSession(ctx, s.ID); err != nil {
		t.Fatalf("end the session: %v", err)
	}
}

// attach opens a node's terminal and waits for its shell's PID and the end
// of the scrollback replay. The websocket is closed when the test ends.
func attach(t *testing.T, c *pgclient.Client, sessionID, node string) *pgclient.Terminal {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	term, err := c.Terminal(ctx, sessionID, node)
	if err != nil {
		t.Fatalf("attach to %s: %v", node, err)
	}
	t.Cleanup(func() { term.Close() })
	err = term.WaitInfo(time.Minute)
	if err == nil {
		err = term.WaitReplayed(time.Minute)
	}
	if err != nil {
		t.Fatalf("attach to %s: %v", node, err)
	}
	return term
}
