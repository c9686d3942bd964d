package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// A flood of output in the browser: the websocket stays open (the page
// acknowledges what xterm has processed and the server paces the node), the
// last line arrives, and the shell answers right after.
func TestTerminalFloodInTheBrowser(t *testing.T) {
	mb := 100
	if os.Getenv("PLAYGROUND_FLOOD_MB") != "" {
		fmt.Sscan(os.Getenv("PLAYGROUND_FLOOD_MB"), &mb)
	}
	h := newHarness(t)
	ctx := newTab(t)
	p, id := startFromHome(t, ctx, h.base, "en")
	defer p.endSession(id)
	p.waitText("node1", "a prompt", atPrompt)
	connects := crEval[int](t, ctx, `window.playground.connects('node1')`)
	start := time.Now()
	// base64 of 3/4 of the size prints the size; the end marker is spelled
	// so that the typed line does not contain it.
	p.send("node1", fmt.Sprintf("head -c %d /dev/urandom | base64 -w 160; echo flood-$((40+2))-end\r", mb<<20*3/4))
	p.waitText("node1", "the end of the flood", func(s string) bool { return strings.Contains(s, "flood-42-end") })
	took := time.Since(start)
	if got := crEval[int](t, ctx, `window.playground.connects('node1')`); got != connects {
		t.Errorf("the terminal reconnected %d times during the flood", got-connects)
	}
	if state := crEval[string](t, ctx, `document.querySelector('[data-testid="terminal-node1"]').dataset.state`); state != "connected" {
		t.Errorf("node1's terminal is %q after the flood", state)
	}
	out, code := p.shell("node1", "echo after-$((6*7))", false)
	if code != 0 || !strings.Contains(out, "after-42") {
		t.Errorf("the shell after the flood: %d %q", code, out)
	}
	t.Logf("flow: %d MB of base64 through the browser in %.1f s (%.1f MB/s)", mb, took.Seconds(), float64(mb)/took.Seconds())
}

// Ctrl-C stops a program that prints without end, and the prompt comes
// back at once: no deep queue of stale output sits between the shell and
// the screen.
func TestCtrlCDuringAFlood(t *testing.T) {
	h := newHarness(t)
	ctx := newTab(t)
	p, id := startFromHome(t, ctx, h.base, "en")
	defer p.endSession(id)
	p.waitText("node1", "a prompt", atPrompt)
	p.send("node1", "yes flooding-the-screen\r")
	p.waitText("node1", "the flood", func(s string) bool { return strings.Count(s, "flooding-the-screen") > 20 })
	time.Sleep(2 * time.Second)
	start := time.Now()
	p.send("node1", "\x03")
	p.waitText("node1", "the prompt after Ctrl-C", atPrompt)
	took := time.Since(start)
	out, code := p.shell("node1", "echo back-$((6*7))", false)
	if code != 0 || !strings.Contains(out, "back-42") {
		t.Errorf("the shell after Ctrl-C: %d %q", code, out)
	}
	t.Logf("flow: prompt back %v after Ctrl-C during yes", took.Round(time.Millisecond))
}
