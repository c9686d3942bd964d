package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/labplay/playground/internal/waitfor"
)

// testIdlePause is the idle pause of the server in TestIdlePause: the
// shortest allowed, so the test waits seconds, not half an hour.
const testIdlePause = 10 * time.Second

// A session whose page is open is never idle, however short the idle
// pause; once its page is closed (no terminal attached) it is paused on
// its own, and opening its page again wakes it with its files.
func TestIdlePauseThroughTheProduct(t *testing.T) {
	h := newHarness(t, "PLAYGROUND_IDLE_PAUSE="+testIdlePause.String())
	ctx := newTab(t)
	p, id := startFromHome(t, ctx, h.base, "en")
	if out, code := p.shell("node1", "echo idle-7 > /root/idle.txt", false); code != 0 {
		t.Fatalf("writing on node1 exited %d:\n%s", code, out)
	}
	status := func() string {
		return tabEval[string](t, ctx, `fetch('/api/sessions/`+id+`').then((r) => r.json()).then((s) => s.status)`)
	}

	// Open, with nothing typed, for two idle pauses: still running.
	time.Sleep(2 * testIdlePause)
	if s := status(); s != "running" {
		t.Fatalf("with its page open the session is %q after %s, want running", s, 2*testIdlePause)
	}
	if !tabEval[bool](t, ctx, `['node1', 'node2', 'node3'].every((n) => window.playground.connected(n))`) {
		t.Fatal("the open page's terminals were disconnected")
	}

	// The page closed: no terminal attached, and nothing asked of the
	// session (the owner's GET counts as a use, so the test watches the
	// engine until the nodes stop, then asks).
	tabDo(t, ctx, "leave the session's page", chromedp.Navigate("about:blank"))
	left := time.Now()
	waitfor.Until(t, "the session's nodes stopped on their own", 90*time.Second, func() error {
		if n := h.runningNodes(t, id); n != 0 {
			return fmt.Errorf("%d nodes run", n)
		}
		return nil
	})
	t.Logf("paused %s after its page was closed (idle pause %s)", time.Since(left).Round(time.Second), testIdlePause)
	tabDo(t, ctx, "open the home page", chromedp.Navigate(h.base+"/"))
	if s := status(); s != "paused" {
		t.Fatalf("with its nodes stopped the session is %q, want paused", s)
	}

	// Its page opened again wakes it, with the file.
	tabDo(t, ctx, "open the session's page again", chromedp.Navigate(h.base+"/s/"+id))
	p.waitConnected()
	tabWait(t, ctx, "the page to say the shells are new",
		`document.querySelector('[data-testid="session-banner"]').textContent.includes('its shells are new')`)
	out, code := p.shell("node1", "cat /root/idle.txt", false)
	if code != 0 || !strings.Contains(out, "idle-7") {
		t.Fatalf("after waking up node1 shows (exit %d):\n%s", code, out)
	}
	if running := h.runningNodes(t, id); running != 3 {
		t.Fatalf("after waking up %d nodes run, want 3", running)
	}
	p.endSession(id)
}
