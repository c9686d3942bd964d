package e2e

import (
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/labplay/playground/internal/waitfor"
)

// kcScenario is the Killercoda importer's sample scenario with several
// steps, verify scripts, background and foreground scripts and an asset.
const kcScenario = "../labs/kcimport/testdata/first-steps"

// importScenario imports the sample scenario into a fresh labs folder with
// the real binary, and returns the folder.
func importScenario(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command(playgroundBinary(t), "lab", "import-killercoda", kcScenario, "--out", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("import-killercoda: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "lints clean") || !strings.Contains(string(out), "step3/text.md:5:") {
		t.Errorf("import-killercoda's report says neither that the lab lints nor what did not carry over:\n%s", out)
	}
	return dir
}

// A Killercoda scenario moved over with import-killercoda runs as a
// learner would take it: each step's verify script, now its check, fails
// before the step's commands and passes after them in a real node. The
// second step's check needs the file its background script writes, and the
// third's the asset the scenario copies to the host (made executable), so
// the pass shows that the setups ran, and ran in time.
func TestKillercodaImportedScenarioPasses(t *testing.T) {
	dir := importScenario(t)
	h := newHarness(t, "PLAYGROUND_LABS_DIR="+dir)
	start := time.Now()
	run := runLabTest(t, h, 4*time.Minute, "first-steps", "--block-timeout", "1m")
	t.Logf("lab test first-steps: %.1f s\n%s", time.Since(start).Seconds(), run.stdout)
	if run.err != nil {
		t.Fatalf("lab test first-steps: %v\nstdout:\n%s\nstderr:\n%s", run.err, run.stdout, run.stderr)
	}
	for _, r := range []*regexp.Regexp{
		row("write-a-greeting", "failed", "1/1", "passed"),
		row("read-the-prepared-note", "failed", "1/1", "passed"),
		row("run-the-asset", "failed", "1/1", "passed"),
		regexp.MustCompile(`(?m)^  intro +- +.* ack +`),
		regexp.MustCompile(`(?m)^  finish +- +.* ack +`),
	} {
		if !r.MatchString(run.stdout) {
			t.Errorf("no row matching %s in the table:\n%s", r, run.stdout)
		}
	}
	if left := h.leftovers(); left != "" {
		t.Errorf("the session was not ended: %s", left)
	}
}

// In the page, a section's foreground script is typed into node1's
// terminal when the learner reaches the section (here by a click on its
// Run button), once: a reload and a second click do not type it again.
// The step's command, typed after it, finds what the background script
// prepared, and the section is done.
func TestKillercodaForegroundInPage(t *testing.T) {
	dir := importScenario(t)
	h := newHarness(t, "PLAYGROUND_LABS_DIR="+dir)
	ctx := newTab(t)
	tabDo(t, ctx, "open the home page at the imported scenario",
		chromedp.Navigate(h.base+"/?lab=first-steps"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="start-session"]`)))
	tabWait(t, ctx, "the imported lab picked", `document.querySelector('[data-testid="home-lab"]').value === 'first-steps'`)
	tabDo(t, ctx, "start it", chromedp.Click(chromedp.CSS(`[data-testid="start-session"]`)))
	tabWait(t, ctx, "node1's terminal connected", `location.pathname.startsWith('/s/') && !!window.playground && window.playground.connected('node1')`)
	p := &page{t: t, ctx: ctx}
	id := strings.TrimPrefix(tabEval[string](t, ctx, `location.pathname`), "/s/")
	defer p.endSession(id)
	p.waitText("node1", "a prompt", atPrompt)

	// The setups and the foreground script never reach the page as text.
	lab := tabEval[string](t, ctx, `fetch('/api/labs/first-steps').then((r) => r.text())`)
	for _, secret := range []string{"background-done", "prepared by the background", "hello from an asset"} {
		if strings.Contains(lab, secret) {
			t.Errorf("the lab as the page gets it holds %q", secret)
		}
	}

	ready := regexp.MustCompile(`(?m)^the note is ready\s*$`)
	block := "read-the-prepared-note-1"
	click := func() {
		tabDo(t, ctx, "click Run on "+block, chromedp.Click(chromedp.CSS(`button[data-testid="run"][data-block="`+block+`"]`)))
	}
	click()
	p.waitText("node1", "the foreground script's output", func(s string) bool { return ready.MatchString(s) })
	p.waitSectionDone(id, "read-the-prepared-note")

	tabDo(t, ctx, "reload", chromedp.Reload())
	tabWait(t, ctx, "node1's terminal connected again", `!!window.playground && window.playground.connected('node1')`)
	p.waitText("node1", "a prompt", atPrompt)
	click()
	waitfor.Until(t, "the step's command typed again, alone", time.Minute, func() error {
		text := p.text("node1")
		if n := strings.Count(text, "cp /opt/kc/note.txt /root/note.txt"); n < 2 {
			return fmt.Errorf("the command shows %d times:\n%s", n, lastLines(text, 20))
		}
		return nil
	})
	if n := len(ready.FindAllString(p.text("node1"), -1)); n != 1 {
		t.Errorf("the foreground script ran %d times, want once:\n%s", n, lastLines(p.text("node1"), 30))
	}
}
