package e2e

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	pgclient "github.com/labplay/playground/client"
	"github.com/labplay/playground/internal/waitfor"
)

const orchestrationLab = "docker-orchestration"

// labBlock is a run block as the page shows it.
type labBlock struct {
	Block string `json:"block"`
	Node  string `json:"node"`
}

// labSection is a section as the page and the lab API show it.
type labSection struct {
	ID       string     `json:"id"`
	HasCheck bool       `json:"has_check"`
	Blocks   []labBlock `json:"blocks"`
}

// The whole lab with the mouse only: every Run button of every section in
// order, each section turning done by itself (or by Mark as done when it
// has no check), then the progress as Postgres holds it.
func TestLabByRunButtons(t *testing.T) {
	h := newHarness(t)
	ctx := newTab(t)
	p, id := startFromHome(t, ctx, h.base, "en")
	tabWait(t, ctx, "the lab", `document.querySelectorAll('[data-testid="run"]').length > 0`)
	sections := tabEval[[]labSection](t, ctx, `(async () => {
		const lab = await (await fetch('/api/labs/`+orchestrationLab+`?lang=en')).json();
		const hasCheck = Object.fromEntries(lab.sections.map((s) => [s.id, s.has_check]));
		return [...document.querySelectorAll('.lab-section')].map((sec) => ({
			id: sec.dataset.section,
			has_check: hasCheck[sec.dataset.section],
			blocks: [...sec.querySelectorAll('.run-block')].map((b) => ({block: b.dataset.block, node: b.dataset.node})),
		}));
	})()`)
	var ids []string
	for _, s := range sections {
		ids = append(ids, s.ID)
	}
	if want := "orchestration swarm service scale drain cleanup"; strings.Join(ids, " ") != want {
		t.Fatalf("the page shows sections %v, want %s", ids, want)
	}
	for _, node := range []string{"node1", "node2", "node3"} {
		p.waitText(node, "a prompt", atPrompt)
	}

	for _, s := range sections {
		for _, b := range s.Blocks {
			out := p.clickRun(b)
			if strings.Contains(out, "Unable to find image") {
				t.Fatalf("Run %s on %s: the lab's image is not in the node yet (the server loads it in the "+
					"background after answering POST /api/sessions, and the page lets the learner run commands "+
					"before that):\n%s", b.Block, b.Node, out)
			}
			for _, bad := range []string{"Error", "command not found", "syntax error"} {
				if strings.Contains(out, bad) {
					t.Fatalf("Run %s on %s printed %q:\n%s", b.Block, b.Node, bad, out)
				}
			}
		}
		if s.ID == "scale" {
			p.screenshot("lab")
		}
		if !s.HasCheck {
			tabDo(t, ctx, "mark "+s.ID+" as done", chromedp.Click(chromedp.CSS(
				`[data-testid="check-section"][data-section="`+s.ID+`"]`)))
		}
		p.waitSectionDone(id, s.ID)
	}
	tabWait(t, ctx, "all six sections done", `document.querySelector('[data-testid="progress"]').textContent === '6/6 sections' &&
		[...document.querySelectorAll('[data-testid="section-status"]')].every((m) => m.dataset.status === 'done')`)
	p.screenshot("lab-done")

	db := h.db()
	dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rows, err := db.Query(dctx, `SELECT section, status, attempts, completed_at IS NOT NULL FROM progress
		WHERE lab = $1 ORDER BY section`, orchestrationLab)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for rows.Next() {
		var section, status string
		var attempts int
		var completed bool
		if err := rows.Scan(&section, &status, &attempts, &completed); err != nil {
			t.Fatal(err)
		}
		if seen[section] {
			t.Errorf("two progress rows for section %s", section)
		}
		seen[section] = true
		if status != "done" || attempts < 1 || !completed {
			t.Errorf("progress of %s: status %s, %d attempts, completed_at set %v; want done, >= 1, true",
				section, status, attempts, completed)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if !seen[id] {
			t.Errorf("no progress row for section %s", id)
		}
		var events int
		if err := db.QueryRow(dctx, `SELECT count(*) FROM progress_events WHERE lab = $1 AND section = $2
			AND kind IN ('check', 'ack') AND passed`, orchestrationLab, id).Scan(&events); err != nil {
			t.Fatal(err)
		}
		if events < 1 {
			t.Errorf("no passing progress event for section %s", id)
		}
	}
	if len(seen) != len(ids) {
		t.Errorf("progress rows for %v, want exactly %v", seen, ids)
	}
	p.endSession(id)
}

// clickRun clicks the Run button of a block and waits until the node's
// shell has run the command and shows a fresh prompt. It returns what the
// command printed. An error shown under the block fails the test.
func (p *page) clickRun(b labBlock) string {
	p.t.Helper()
	before := prompts(p.waitText(b.Node, "a prompt before "+b.Block, atPrompt))
	tabDo(p.t, p.ctx, "click Run on "+b.Block, chromedp.Click(chromedp.CSS(
		`button[data-testid="run"][data-block="`+b.Block+`"]`)))
	runError := `(document.querySelector('.run-block[data-block="` + b.Block + `"] .run-error') || {}).textContent || ''`
	var text string
	waitfor.Until(p.t, "Run "+b.Block+": a fresh prompt on "+b.Node, 2*time.Minute, func() error {
		text = p.text(b.Node)
		if prompts(text) > before && atPrompt(text) {
			return nil
		}
		if msg := tabEval[string](p.t, p.ctx, runError); msg != "" {
			p.t.Fatalf("Run %s: the page says %q", b.Block, msg)
		}
		return fmt.Errorf("it shows:\n%s", lastLines(text, 40))
	})
	if n := prompts(text); n != before+1 {
		p.t.Errorf("Run %s: %d new prompts on %s, want 1", b.Block, n-before, b.Node)
	}
	lines := strings.Split(text, "\n")
	var at []int
	for i, l := range lines {
		if promptRE.MatchString(l) {
			at = append(at, i)
		}
	}
	return strings.Join(lines[at[len(at)-2]:at[len(at)-1]], "\n")
}

// waitSectionDone waits until the page marks a section done. On time out
// it fails with the section's check output as the server gives it now.
func (p *page) waitSectionDone(sessionID, section string) {
	p.t.Helper()
	done := `document.querySelector('[data-testid="section-status"][data-section="` + section + `"]').dataset.status === 'done'`
	if err := waitfor.Poll(2*time.Minute, func() error {
		if !tabEval[bool](p.t, p.ctx, done) {
			return errors.New("the page does not show it done")
		}
		return nil
	}); err != nil {
		out := tabEval[string](p.t, p.ctx, `fetch('/api/sessions/`+sessionID+`/sections/`+section+`/check',
			{method: 'POST', credentials: 'same-origin'}).then((r) => r.text())`)
		p.t.Fatalf("section %s is not done (%v); checking it now answers %s", section, err, out)
	}
}

// A check fails, with a hint that names what is missing, until the nodes
// are in the state it wants: the swarm with node1 alone, the drain while
// node2 is active. The same checks then pass, and the progress says so.
func TestLabChecksFail(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	c := pgclient.New(h.base)
	s, err := c.CreateSession(ctx, orchestrationLab, "en")
	if err != nil {
		t.Fatalf("create a session: %v", err)
	}
	terms := map[string]*pgclient.Terminal{}
	for _, node := range []string{"node1", "node2", "node3"} {
		terms[node] = attach(t, c, s.ID, node)
	}
	// runBlock types a run block's command, resolved by the server, into
	// its node and waits for the output want.
	runBlock := func(block, want string) {
		t.Helper()
		r, err := c.Resolve(ctx, s.ID, block)
		if err != nil {
			t.Fatalf("resolve %s: %v", block, err)
		}
		term := terms[r.Node]
		if term == nil {
			t.Fatalf("block %s runs on %q, not a node of the session", block, r.Node)
		}
		n := len(term.Output())
		if err := term.Send(r.Command + "\r"); err != nil {
			t.Fatal(err)
		}
		if err := term.WaitOutputAfter(n, want, 2*time.Minute); err != nil {
			t.Fatalf("%s on %s: %v\n%s", r.Command, r.Node, err, lastLines(term.OutputFrom(n), 20))
		}
	}
	check := func(section string) *pgclient.CheckResult {
		t.Helper()
		res, err := c.Check(ctx, s.ID, section)
		if err != nil {
			t.Fatalf("check %s: %v", section, err)
		}
		return res
	}

	runBlock("swarm-1", "Swarm initialized")
	res := check("swarm")
	if res.Passed || !strings.Contains(res.Output, "node2") || !strings.Contains(res.Output, "node3") {
		t.Errorf("check swarm with node1 alone: passed %v, output %q; want a failure naming node2 and node3",
			res.Passed, res.Output)
	}
	runBlock("swarm-3", "This node joined a swarm as a worker.")
	runBlock("swarm-4", "This node joined a swarm as a worker.")
	res = check("drain")
	if res.Passed || !strings.Contains(res.Output, "node2 is still active") {
		t.Errorf("check drain while node2 is active: passed %v, output %q; want a failure saying node2 is still active",
			res.Passed, res.Output)
	}

	// The same checks pass once the nodes are right.
	waitPass(t, "swarm", func() *pgclient.CheckResult { return check("swarm") })
	runBlock("drain-3", "~ $ ") // the prompt after docker node update
	waitPass(t, "drain", func() *pgclient.CheckResult { return check("drain") })
	prog, err := c.Progress(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	for section, want := range map[string]string{"swarm": "done", "drain": "done", "service": "pending"} {
		got := prog.Section(section)
		switch {
		case got == nil:
			t.Errorf("no progress for section %s", section)
		case got.Status != want:
			t.Errorf("progress of %s: %s, want %s", section, got.Status, want)
		case want == "done" && got.Attempts < 2:
			t.Errorf("progress of %s: %d attempts, want at least 2 (a failure, then a pass)", section, got.Attempts)
		}
	}
	if err := c.DeleteSession(ctx, s.ID); err != nil {
		t.Fatalf("end the session: %v", err)
	}
}

// waitPass repeats a check until it passes, for state the swarm reaches a
// moment after the command returns.
func waitPass(t *testing.T, section string, check func() *pgclient.CheckResult) {
	t.Helper()
	// Once a second: checks count against the session's rate.
	waitfor.Every(t, time.Second, "check "+section+" to pass", time.Minute, func() error {
		if res := check(); !res.Passed {
			return fmt.Errorf("it still fails: %s", res.Output)
		}
		return nil
	})
}

// The lab in French: the language switch of the session page shows the
// lab's French titles.
func TestLabInFrench(t *testing.T) {
	h := newHarness(t)
	ctx := newTab(t)
	p, id := startFromHome(t, ctx, h.base, "en")
	titles := `[...document.querySelectorAll('[data-testid="section-list"] .toc-title')].map((e) => e.textContent).join(' | ')`
	tabWait(t, ctx, "the English titles", titles+`.startsWith('What orchestration is')`)
	tabDo(t, ctx, "switch to French", chromedp.Click(chromedp.CSS(`[data-testid="lang-switch"]`)))
	want := "Qu'est-ce que l'orchestration ? | Configurer le mode swarm | Déployer un service sur plusieurs hôtes | " +
		"Mettre le service à l'échelle | Vider un nœud | Faire le ménage"
	tabWait(t, ctx, "the French titles", titles+` === `+jsString(want))
	p.endSession(id)
}
