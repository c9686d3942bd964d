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

// A node whose container stops shows a Restart button in its terminal; the
// learner clicks it and gets the node back, with what its engine held.
func TestRestartANodeFromThePage(t *testing.T) {
	h := newHarness(t)
	ctx := newTab(t)
	p, id := startFromHome(t, ctx, h.base, "en")

	// Something to find again after the restart: a network in node2's engine.
	if out, code := p.shell("node2", "docker network create kept-net", false); code != 0 {
		t.Fatalf("docker network create exited %d:\n%s", code, out)
	}
	list, err := h.docker.ContainerList(context.Background(), container.ListOptions{Filters: filters.NewArgs(
		filters.Arg("label", engine.LabelSession+"="+id), filters.Arg("label", engine.LabelNode+"=node2"))})
	if err != nil || len(list) != 1 {
		t.Fatalf("node2's container: %v (%d)", err, len(list))
	}
	if err := h.docker.ContainerKill(context.Background(), list[0].ID, "KILL"); err != nil {
		t.Fatal(err)
	}
	button := `[data-testid="restart-node"][data-node="node2"]`
	tabWait(t, ctx, "the Restart button on node2", `!!document.querySelector('`+button+`') && !document.querySelector('`+button+`').hidden`)
	tabDo(t, ctx, "click Restart", chromedp.Click(chromedp.CSS(button)))
	// The button goes once the server says the node's engine is back (the
	// terminal itself may reconnect a moment earlier, as the node boots).
	tabWait(t, ctx, "the restart to finish", `document.querySelector('`+button+`').hidden`)
	p.waitConnected()
	out, code := p.shell("node2", "docker network ls --format '{{.Name}}'", false)
	if code != 0 || !strings.Contains(out, "kept-net") {
		t.Fatalf("after the restart node2's engine lists (exit %d):\n%s", code, out)
	}
	p.endSession(id)
}
