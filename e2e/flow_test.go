package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/labplay/playground/internal/waitfor"
)

// A flood of output in the browser: the websocket stays open (the page
// acknowledges what xterm has processed and the server paces the node), the
// last line arrives, and the shell answers right after.
//
// make test prints 20 MB; make soak (PLAYGROUND_SOAK=1) the full 100 MB.
func TestSoakTerminalFloodInTheBrowser(t *testing.T) {
	mb := 20
	if os.Getenv("PLAYGROUND_SOAK") != "" {
		mb = 100
	}
	h := newHarness(t)
	ctx := newTab(t)
	p, id := startFromHome(t, ctx, h.base, "en")
	defer p.endSession(id)
	p.waitText("node1", "a prompt", atPrompt)
	connects := tabEval[int](t, ctx, `window.playground.connects('node1')`)
	start := time.Now()
	// base64 of 3/4 of the size prints the size; the end marker is spelled
	// so that the typed line does not contain it.
	p.send("node1", fmt.Sprintf("head -c %d /dev/urandom | base64 -w 160; echo flood-$((40+2))-end\r", mb<<20*3/4))
	// xterm.js parses about 1.5 MB/s on this 2-core machine, less while the
	// other test packages run: a generous wait of its own.
	// Twice a second: each try copies the whole terminal out of the page.
	waitfor.Every(t, 500*time.Millisecond, "the end of the flood", 10*time.Minute, func() error {
		if text := p.text("node1"); !strings.Contains(text, "flood-42-end") {
			return fmt.Errorf("the terminal shows:\n%s", lastLines(text, 5))
		}
		return nil
	})
	took := time.Since(start)
	if got := tabEval[int](t, ctx, `window.playground.connects('node1')`); got != connects {
		t.Errorf("the terminal reconnected %d times during the flood", got-connects)
	}
	if state := tabEval[string](t, ctx, `document.querySelector('[data-testid="terminal-node1"]').dataset.state`); state != "connected" {
		t.Errorf("node1's terminal is %q after the flood", state)
	}
	out, code := p.shell("node1", "echo after-$((6*7))", false)
	if code != 0 || !strings.Contains(out, "after-42") {
		t.Errorf("the shell after the flood: %d %q", code, out)
	}
	soakFigure(t, fmt.Sprintf("%d MB of base64 printed in node1, in headless Chromium", mb), "shown in %.1f s (%.1f MB/s), the websocket open all along, the shell answering after", took.Seconds(), float64(mb)/took.Seconds())
}

// Ctrl-C stops a program that prints without end, and the prompt comes
// back at once: no deep queue of stale output sits between the shell and
// the screen.
func TestSoakCtrlCDuringAFlood(t *testing.T) {
	h := newHarness(t)
	ctx := newTab(t)
	p, id := startFromHome(t, ctx, h.base, "en")
	defer p.endSession(id)
	p.waitText("node1", "a prompt", atPrompt)
	p.send("node1", "yes flooding-the-screen\r")
	p.waitText("node1", "the flood", func(s string) bool { return strings.Count(s, "flooding-the-screen") > 20 })
	// Not a wait: two seconds of flood pile up output between the shell
	// and the screen, which is what Ctrl-C must not have to wait behind.
	time.Sleep(2 * time.Second)
	start := time.Now()
	p.send("node1", "\x03")
	p.waitText("node1", "the prompt after Ctrl-C", atPrompt)
	took := time.Since(start)
	out, code := p.shell("node1", "echo back-$((6*7))", false)
	if code != 0 || !strings.Contains(out, "back-42") {
		t.Errorf("the shell after Ctrl-C: %d %q", code, out)
	}
	soakFigure(t, "Ctrl-C during yes, in headless Chromium", "prompt back %v after the key (the test polls at most 250 ms apart)", took.Round(time.Millisecond))
}
