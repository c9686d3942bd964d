package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A free playground starts from the home page without a lab, adds a node
// and removes one from the page, as Play with Docker allowed.
func TestFreePlaygroundAddsAndRemovesNodes(t *testing.T) {
	h := newHarness(t)
	ctx := newTab(t)
	tabDo(t, ctx, "open the home page",
		chromedp.Navigate(h.base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="start-free"]`)),
	)
	tabDo(t, ctx, "start a free playground", chromedp.Click(chromedp.CSS(`[data-testid="start-free"]`)))
	p := &page{t: t, ctx: ctx}
	p.waitConnected()
	id := strings.TrimPrefix(tabEval[string](t, ctx, `location.pathname`), "/s/")
	defer p.endSession(id)
	if hidden := tabEval[bool](t, ctx, `document.querySelector('[data-testid="lab-pane"]').hidden`); !hidden {
		t.Error("a free playground shows a lab pane")
	}
	tabDo(t, ctx, "add a node", chromedp.Click(chromedp.CSS(`[data-testid="add-node"]`)))
	tabWait(t, ctx, "node4's terminal connected", `!!window.playground && (() => { try { return window.playground.connected('node4'); } catch { return false; } })()`)
	out, code := p.shell("node4", "hostname", false)
	if code != 0 || !strings.Contains(out, "node4") {
		t.Errorf("node4's shell: %d %q", code, out)
	}
	tabEval[bool](t, ctx, `(() => { window.confirm = () => true; return true; })()`)
	tabDo(t, ctx, "remove node2", chromedp.Click(chromedp.CSS(`[data-testid="remove-node"][data-node="node2"]`)))
	tabWait(t, ctx, "the page without node2", `!document.querySelector('[data-testid="terminal-node2"]') && !!window.playground && (() => { try { return window.playground.connected('node4'); } catch { return false; } })()`)
	if n := tabEval[int](t, ctx, `document.querySelectorAll('[data-testid^="terminal-node"]').length`); n != 3 {
		t.Errorf("%d terminals after adding one and removing one, want 3", n)
	}
}
