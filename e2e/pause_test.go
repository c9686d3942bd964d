package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"

	"github.com/labplay/playground/sessions/engine"
)

// A learner pauses their session from the page: its nodes stop and the
// page says it is paused and until when it is kept. A reload wakes it:
// the terminals connect to new shells, the page says so, and what the
// learner left on the nodes is there. Paused again, the home page lists it
// with when it ends, and opening it from there wakes it too.
func TestPauseFromThePageAndWakeItUp(t *testing.T) {
	h := newHarness(t)
	ctx := newTab(t)
	p, id := startFromHome(t, ctx, h.base, "en")
	if out, code := p.shell("node1", "echo kept-42 > /root/keep.txt && docker volume create keepvol", false); code != 0 {
		t.Fatalf("leaving work on node1 exited %d:\n%s", code, out)
	}

	pause := func() {
		t.Helper()
		tabDo(t, ctx, "click Pause", chromedp.Click(chromedp.CSS(`[data-testid="pause-session"]`)))
		tabWait(t, ctx, "the page to say the session is paused", `!!document.querySelector('[data-testid="resume-session"]') &&
			document.querySelector('[data-testid="session-banner"]').textContent.includes('Session paused') &&
			document.querySelector('[data-testid="time-left"]').textContent.startsWith('Paused')`)
		if running := h.runningNodes(t, id); running != 0 {
			t.Fatalf("%d nodes of the paused session still run", running)
		}
		status := tabEval[string](t, ctx, `fetch('/api/sessions/`+id+`').then((r) => r.json()).then((s) => s.status)`)
		if status != "paused" {
			t.Fatalf("GET /api/sessions/%s says %q, want paused", id, status)
		}
	}
	woken := func(how string) {
		t.Helper()
		p.waitConnected()
		tabWait(t, ctx, "the page to say the shells are new ("+how+")",
			`document.querySelector('[data-testid="session-banner"]').textContent.includes('its shells are new')`)
		out, code := p.shell("node1", "cat /root/keep.txt; docker volume ls -q", false)
		if code != 0 || !strings.Contains(out, "kept-42") || !strings.Contains(out, "keepvol") {
			t.Fatalf("after waking up (%s) node1 shows (exit %d):\n%s", how, code, out)
		}
		if running := h.runningNodes(t, id); running != 3 {
			t.Fatalf("after waking up (%s) %d nodes run, want 3", how, running)
		}
	}

	pause()
	tabDo(t, ctx, "reload the paused session's page", chromedp.Reload())
	woken("a reload")

	pause()
	tabDo(t, ctx, "open the home page", chromedp.Navigate(h.base+"/"))
	tabWait(t, ctx, "the home page to list the paused session with when it ends",
		`!!document.querySelector('[data-testid="paused-until"]') &&
		document.querySelector('[data-testid="paused-until"]').textContent.includes('kept until')`)
	tabDo(t, ctx, "open it from the home page", chromedp.Click(chromedp.CSS(`[data-testid="resume"]`)))
	woken("opened from the home page")
	p.endSession(id)
}

// runningNodes counts the session's node containers that run.
func (h *harness) runningNodes(t *testing.T, sessionID string) int {
	t.Helper()
	list, err := h.docker.ContainerList(context.Background(), container.ListOptions{Filters: filters.NewArgs(
		filters.Arg("label", engine.LabelSession+"="+sessionID), filters.Arg("status", "running"))})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}
