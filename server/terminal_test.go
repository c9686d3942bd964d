package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/labplay/playground/client"
	"github.com/labplay/playground/internal/waitfor"
	"github.com/labplay/playground/sessions"
)

// decode reads a JSON answer.
func decode(t *testing.T, res *http.Response, v any) {
	t.Helper()
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("decode answer of %s: %v", res.Request.URL.Path, err)
	}
}

// newLearner starts a session (with a lab, or none) for a new learner.
func newLearner(t *testing.T, e *env, lab, lang string) (*client.Client, *client.Session) {
	t.Helper()
	c := client.New(e.ts.URL)
	s, err := c.CreateSession(context.Background(), lab, lang)
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

// openTerminal opens a node's terminal and waits for its replay; it is
// closed when the test ends.
func openTerminal(t *testing.T, c *client.Client, sessionID, node string) *client.Terminal {
	t.Helper()
	tm, err := c.Terminal(context.Background(), sessionID, node)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tm.Close() })
	if err := tm.WaitReplayed(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	return tm
}

// testTerminal exercises one node's terminal through the websocket: echo,
// raw bytes, resizes, bad messages, and reattaching to the same shell.
func testTerminal(t *testing.T, e *env, owner *client.Client, id string) {
	ctx := context.Background()
	term, err := owner.Terminal(ctx, id, "node1")
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	if err := term.WaitReplayed(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	pid := term.PID()
	if pid <= 1 || term.ReadOnly() {
		t.Fatalf("info: pid %d readonly %v", pid, term.ReadOnly())
	}
	term.Send("echo marker-$((6*7))\r")
	if err := term.WaitOutput("marker-42", 30*time.Second); err != nil {
		t.Fatal(err)
	}

	// Bytes that are not UTF-8 reach the shell untouched.
	node1 := containerOf(t, e, id, "node1")
	term.Send("head -c 4 | od -An -tx1\r")
	waitRunning(t, e, node1, "head") // else the shell's line editor, not head, reads the bytes
	term.SendBytes([]byte{0xff, 0xfe, 0x80, 'A', '\n'})
	if err := term.WaitOutput("ff fe 80 41", 30*time.Second); err != nil {
		t.Fatal(err)
	}

	// Absurd sizes are refused with a notice; the shell carries on.
	for _, bad := range []string{`{"cols":0,"rows":10}`, `{"cols":100000,"rows":10}`, `{"cols":-5,"rows":-5}`, `not json`} {
		term.Conn.WriteMessage(websocket.BinaryMessage, append([]byte{'1'}, bad...))
	}
	term.Conn.WriteMessage(websocket.BinaryMessage, []byte("9what"))
	if err := term.WaitNotices(5, 30*time.Second); err != nil {
		t.Fatalf("5 bad messages: %v; notices %q", err, term.Notices())
	}
	if err := term.Closed(); err != nil {
		t.Fatalf("bad messages closed the terminal: %v", err)
	}
	term.Resize(123, 45)
	term.Send("stty size\r")
	if err := term.WaitOutput("45 123", 30*time.Second); err != nil {
		t.Fatal(err)
	}

	// A message over the limit closes this connection only.
	before := term.Output()
	term.SendBytes(make([]byte, 2<<20))
	err = term.WaitClosed(30 * time.Second)
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseMessageTooBig {
		t.Fatalf("oversized message ended with %v, want close 1009", err)
	}

	// Reattaching finds the same shell and its scrollback.
	again, err := owner.Terminal(ctx, id, "node1")
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if err := again.WaitReplayed(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	if again.PID() != pid {
		t.Fatalf("reattached to pid %d, want the same shell %d", again.PID(), pid)
	}
	if !strings.Contains(again.Output(), "marker-42") || !strings.Contains(again.Output(), "ff fe 80 41") {
		t.Fatalf("replay lacks the earlier output; got %q (before: %q)", tail(again.Output()), tail(before))
	}
	// Large pastes under the limit arrive whole.
	again.Send("wc -c\r")
	waitRunning(t, e, node1, "wc")
	// (lines, since a terminal's line discipline holds at most 4095 bytes a line)
	again.Send(strings.Repeat(strings.Repeat("y", 999)+"\n", 200) + "\x04")
	if err := again.WaitOutput("200000", 60*time.Second); err != nil {
		t.Fatal(err)
	}
}

// waitRunning waits until a process called name runs in a node: what a
// test types next then goes to it, not to the shell that started it.
func waitRunning(t *testing.T, e *env, containerID, name string) {
	t.Helper()
	waitfor.Until(t, name+" to run in the node", 30*time.Second, func() error {
		out, code, err := e.engine.Exec(context.Background(), containerID, "pgrep -x "+name+" || { ps -o pid,args; exit 1; }", 10*time.Second)
		if err != nil {
			return err
		}
		if code != 0 {
			return fmt.Errorf("not in the node's processes:\n%s", out)
		}
		return nil
	})
}

func tail(s string) string {
	if len(s) > 300 {
		return s[len(s)-300:]
	}
	return s
}

// One session holds at most a dozen terminal connections; past that the
// server answers 429 before anything reaches the node, and a closed one
// frees its place.
func TestTerminalsPerSession(t *testing.T) {
	e := newEnv(t, envConfig{Docker: true})
	ctx := context.Background()
	c, s := newLearner(t, e, "", "")
	var open []*client.Terminal
	defer func() {
		for _, tm := range open {
			tm.Close()
		}
	}()
	for i := range 12 {
		tm, err := c.Terminal(ctx, s.ID, sessions.NodeNames[i%3])
		if err != nil {
			t.Fatalf("terminal %d: %v", i+1, err)
		}
		open = append(open, tm)
	}
	if tm, err := c.Terminal(ctx, s.ID, "node1"); err == nil || !strings.Contains(err.Error(), "HTTP 429") {
		if tm != nil {
			tm.Close()
		}
		t.Fatalf("13th terminal: %v, want HTTP 429", err)
	}
	open[0].Close()
	open = open[1:]
	// The server notices the close when its read ends; give it a moment.
	waitfor.Until(t, "a terminal after closing one", 10*time.Second, func() error {
		tm, err := c.Terminal(ctx, s.ID, "node1")
		if err != nil {
			return err
		}
		open = append(open, tm)
		return nil
	})
	// Closed terminals leave nothing running in the nodes: every relay the
	// server exec'd ends with its connection.
	for _, tm := range open {
		tm.Close()
	}
	open = nil
	for _, node := range sessions.NodeNames {
		id := containerOf(t, e, s.ID, node)
		waitfor.Until(t, node+"'s relays to end with their terminals", 15*time.Second, func() error {
			out, _, err := e.engine.Exec(ctx, id, "ps -eo args | grep -c '^playground node attach'", 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.TrimSpace(out); n != "0" {
				return fmt.Errorf("%s relays still run", n)
			}
			return nil
		})
	}
}

// A terminal whose stream to the node is lost while the node runs is not
// called unavailable: it closes with 1001 and the page reconnects to the
// same shell.
func TestLostStreamOfARunningNode(t *testing.T) {
	e := newEnv(t, envConfig{Docker: true})
	c, s := newLearner(t, e, "", "")
	tm := openTerminal(t, c, s.ID, "node1")
	// The relay in the node dies; the node and its shell stay.
	if out, _, err := e.engine.Exec(context.Background(), containerOf(t, e, s.ID, "node1"), "pkill -f '^playground node attach'", 10*time.Second); err != nil {
		t.Fatalf("kill the relay: %v %s", err, out)
	}
	err := tm.WaitClosed(30 * time.Second)
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Fatalf("lost stream of a running node closed with %v, want 1001", err)
	}
}
