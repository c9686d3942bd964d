package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A Play-with-Docker post moves over in one command and runs as written:
// "playground lab import-pwd" turns it into a lab in the run-time folder,
// the server serves it at its next start, and in the browser every Run
// block does what the post says on the right node, and its port link opens
// the web page the post starts.
func TestImportedPWDPostRuns(t *testing.T) {
	dir := t.TempDir()
	bin := playgroundBinary(t)
	out, err := exec.Command(bin, "lab", "import-pwd", "testdata/2020-05-04-two-hosts-one-page.md", "--out", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("import-pwd: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "two-hosts-one-page") || !strings.Contains(string(out), "alert") {
		t.Errorf("import-pwd's report names neither the lab nor the dropped attribute list:\n%s", out)
	}
	if lint, err := exec.Command(bin, "lab", "lint", filepath.Join(dir, "two-hosts-one-page")).CombinedOutput(); err != nil {
		t.Fatalf("the imported lab does not lint: %v\n%s", err, lint)
	}

	h := newHarness(t, "PLAYGROUND_LABS_DIR="+dir)
	ctx := newTab(t)
	tabDo(t, ctx, "open the home page at the imported lab",
		chromedp.Navigate(h.base+"/?lab=two-hosts-one-page"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="start-session"]`)))
	tabWait(t, ctx, "the imported lab picked", `document.querySelector('[data-testid="home-lab"]').value === 'two-hosts-one-page'`)
	tabDo(t, ctx, "start it", chromedp.Click(chromedp.CSS(`[data-testid="start-session"]`)))
	tabWait(t, ctx, "its two terminals connected", `location.pathname.startsWith('/s/') && !!window.playground &&
		['node1', 'node2'].every((n) => window.playground.connected(n)) && !document.querySelector('[data-testid="terminal-node3"]')`)
	p := &page{t: t, ctx: ctx}
	id := strings.TrimPrefix(tabEval[string](t, ctx, `location.pathname`), "/s/")
	defer p.endSession(id)
	tabWait(t, ctx, "the lab's Run buttons", `document.querySelectorAll('[data-testid="run"]').length === 3`)
	blocks := tabEval[[]labBlock](t, ctx, `[...document.querySelectorAll('.run-block')].map((b) => ({block: b.dataset.block, node: b.dataset.node}))`)
	for _, n := range []string{"node1", "node2"} {
		p.waitText(n, "a prompt", atPrompt)
	}
	var outs []string
	for _, b := range blocks {
		outs = append(outs, p.clickRun(b))
	}
	if len(blocks) != 3 || blocks[0].Node != "node1" || blocks[2].Node != "node2" {
		t.Fatalf("run blocks %+v, want two on node1 then one on node2", blocks)
	}
	if !strings.Contains(outs[1], "web is Up") {
		t.Errorf("docker ps with the post's escaped template printed %q, want \"web is Up ...\"", outs[1])
	}
	if !strings.Contains(outs[2], "172.17.") {
		t.Errorf("node2 fetching node1:8080 printed %q, want the container's address", outs[2])
	}
	// The port link opens the learner's own port 8080 on node1.
	page := tabEval[string](t, ctx, `(async () => {
		const a = document.querySelector('a.port-link');
		if (!a) return 'no port link';
		const r = await fetch(a.href, { credentials: 'same-origin' });
		return r.status + ' ' + (await r.text());
	})()`)
	if !strings.HasPrefix(page, "200 ") || !strings.Contains(page, "172.17.") {
		t.Errorf("the post's port link answered %q, want 200 with the container's address", page)
	}
}
