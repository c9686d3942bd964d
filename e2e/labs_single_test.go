package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/labplay/playground/internal/waitfor"
)

// portVisit is a port link of a section followed once the section is done,
// and a piece of the page it must show.
type portVisit struct {
	port string
	want string
}

// singleNodeLabs are the one-node labs, with the port links to follow after
// some of their sections, and the run blocks that fail on purpose (to show
// the learner an error) with a piece of what they print.
var singleNodeLabs = []struct {
	slug    string
	files   int // file blocks, with Write file buttons
	visits  map[string]portVisit
	failing map[string]string
	recheck string // what checking the first section again at the end says, when it fails
	langs   []string
}{
	{"docker-basics", 0, map[string]portVisit{
		"publish": {"8080", "It works!"},
		"exec":    {"8080", "Changed from inside the container"},
	}, nil, "", []string{"en", "fr"}},
	{"docker-compose", 2, map[string]portVisit{
		"visit": {"8080", "This page has been visited"},
	}, nil, "docker compose up -d", []string{"en"}},
	{"docker-volumes", 1, map[string]portVisit{
		"bind": {"8081", "first version"},
		"edit": {"8081", "second version"},
	}, map[string]string{"inspect-4": "volume is in use", "readonly-2": "Read-only file system"}, "", []string{"fr"}},
	{"swarm-secrets", 1, map[string]portVisit{
		"config": {"8080", "This page comes from a swarm config"},
	}, map[string]string{"rotate-2": "is in use"}, "", []string{"en"}},
}

// Each one-node lab with the mouse only, the first in English and in
// French and the others in one of the two (lab test, in labtest_test.go,
// runs every lab in every language through the API): a session of the lab
// in that language, every Run button of every section
// in order, each section's Check button until the section is done, and
// the port links of the text opening the node's pages (on hosts of their
// own: *.localhost resolves to loopback in Chromium, and a path-based page
// is sandboxed, out of the test's reach). One server and one browser serve
// all of them; each lab and language has a session of its own, ended at
// the end.
func TestSingleNodeLabsInTheBrowser(t *testing.T) {
	h := newHarness(t, "PLAYGROUND_PORTS_DOMAIN=localhost")
	ctx := newTab(t)
	for _, lab := range singleNodeLabs {
		for _, lang := range lab.langs {
			t.Run(lab.slug+"/"+lang, func(t *testing.T) {
				start := time.Now()
				p, id := startLab(t, ctx, h.base, lab.slug, lang)
				defer func() {
					if tabEval[string](t, ctx, `location.origin`) != h.base { // a port's page, on failure
						tabDo(t, ctx, "back to the playground", chromedp.Navigate(h.base+"/"))
					}
					p.endSession(id)
				}()
				sections := p.labSections(lab.slug, lang)
				files := 0
				for _, s := range sections {
					for _, b := range s.Steps {
						if b.File {
							files++
						}
					}
				}
				if files != lab.files {
					t.Errorf("the page shows %d file blocks, want %d", files, lab.files)
				}
				for _, s := range sections {
					for _, b := range s.Steps {
						if b.File {
							p.clickWrite(b.Block)
							continue
						}
						out := p.clickRun(labBlock{Block: b.Block, Node: b.Node})
						if want, ok := lab.failing[b.Block]; ok {
							if !strings.Contains(out, want) {
								t.Errorf("Run %s should fail saying %q; it printed:\n%s", b.Block, want, out)
							}
							continue
						}
						for _, bad := range []string{"Error", "error:", "command not found", "Unable to find image", "No such", "no configuration file"} {
							if strings.Contains(out, bad) {
								t.Fatalf("Run %s printed %q:\n%s", b.Block, bad, out)
							}
						}
					}
					answerQuizzes(t, ctx, s.ID) // quiz_test.go
					p.checkUntilDone(id, s.ID)
					if v, ok := lab.visits[s.ID]; ok {
						p.followPortLink(h.base+"/s/"+id, s.ID, v)
					}
				}
				n := strconv.Itoa(len(sections))
				tabWait(t, ctx, "every section done", `document.querySelector('[data-testid="progress"]').textContent.startsWith('`+n+`/`+n+` ') &&
					[...document.querySelectorAll('[data-testid="section-status"]')].every((m) => m.dataset.status === 'done')`)
				// A section done stays done when its check fails later: the
				// first one again, after the last one changed the nodes.
				first := sections[0].ID
				button := `[data-testid="check-section"][data-section="` + first + `"]`
				// The page checks sections by itself too, so the session's
				// rate of checks may refuse this one: then it is asked again
				// once the rate allows, as a learner would.
				waitfor.Every(t, 2*time.Second, "the check of "+first+" answered, not refused for the rate", time.Minute, func() error {
					tabDo(t, ctx, "click Check on "+first+" again", chromedp.Click(chromedp.CSS(button)))
					tabWait(t, ctx, "the check of "+first+" answered", `!document.querySelector('`+button+`').disabled`)
					said := tabEval[string](t, ctx, `(document.querySelector('[data-testid="check-output"][data-section="`+first+`"]') || {}).textContent || ''`)
					if strings.Contains(said, "Too many checks") {
						return fmt.Errorf("it says %q", said)
					}
					return nil
				})
				tabWait(t, ctx, "every section still done", `document.querySelector('[data-testid="progress"]').textContent.startsWith('`+n+`/`+n+` ') &&
					[...document.querySelectorAll('[data-testid="section-status"]')].every((m) => m.dataset.status === 'done')`)
				if lab.recheck != "" {
					out := tabEval[string](t, ctx, `document.querySelector('[data-testid="check-output"][data-section="`+first+`"]').textContent`)
					if !strings.Contains(out, lab.recheck) {
						t.Errorf("checking %s again after the lab says %q, want it to say %q", first, out, lab.recheck)
					}
				}
				t.Logf("%s in %s: %d sections done in %.1fs", lab.slug, lang, len(sections), time.Since(start).Seconds())
			})
		}
	}
}

// startLab opens the home page at lab (a "try it" link, ?lab=SLUG) in
// lang, clicks Start, and waits for the session's page with node1's
// terminal connected, and no other node. It returns the session's id.
func startLab(t *testing.T, ctx context.Context, base, lab, lang string) (*page, string) {
	t.Helper()
	tabDo(t, ctx, "open the home page at "+lab,
		chromedp.Navigate(base+"/?lab="+lab),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="start-session"]`)),
	)
	pickHomeLang(t, ctx, lang)
	tabWait(t, ctx, lab+" picked", `document.querySelector('[data-testid="home-lab"]').value === `+jsString(lab))
	tabDo(t, ctx, "start a session", chromedp.Click(chromedp.CSS(`[data-testid="start-session"]`)))
	tabWait(t, ctx, "node1's terminal connected", `location.pathname.startsWith('/s/') && !!window.playground &&
		window.playground.connected('node1') && !document.querySelector('[data-testid="terminal-node2"]')`)
	id := strings.TrimPrefix(tabEval[string](t, ctx, `location.pathname`), "/s/")
	p := &page{t: t, ctx: ctx}
	p.waitText("node1", "a prompt", atPrompt)
	return p, id
}

// labStep is a run block or a file block as the page shows it.
type labStep struct {
	Block string `json:"block"`
	Node  string `json:"node"`
	File  bool   `json:"file"` // a file block, with a Write file button
}

// labSteps is a section as the page shows it, with its blocks of both kinds
// in order.
type labSteps struct {
	ID       string    `json:"id"`
	HasCheck bool      `json:"has_check"`
	Steps    []labStep `json:"steps"`
}

// labSections waits for the lab's text and returns its sections as the page
// shows them, after checking that their titles are the lab's in lang.
func (p *page) labSections(lab, lang string) []labSteps {
	p.t.Helper()
	tabWait(p.t, p.ctx, "the lab", `document.querySelectorAll('[data-testid="run"]').length > 0`)
	got := tabEval[struct {
		Sections []labSteps `json:"sections"`
		Titles   string     `json:"titles"`
		Want     string     `json:"want"`
	}](p.t, p.ctx, `(async () => {
		const lab = await (await fetch('/api/labs/`+lab+`?lang=`+lang+`')).json();
		return {
			sections: [...document.querySelectorAll('.lab-section')].map((sec) => ({
				id: sec.dataset.section,
				has_check: lab.sections.find((s) => s.id === sec.dataset.section).has_check,
				steps: [...sec.querySelectorAll('.run-block, .file-block')].map((b) => ({
					block: b.dataset.block, node: b.dataset.node, file: b.classList.contains('file-block')})),
			})),
			titles: [...document.querySelectorAll('[data-testid="section-list"] .toc-title')].map((e) => e.textContent).join(' | '),
			want: lab.sections.map((s) => s.title).join(' | '),
		};
	})()`)
	if got.Titles != got.Want || len(got.Sections) == 0 {
		p.t.Fatalf("the page shows sections %q, want the lab's in %s: %q", got.Titles, lang, got.Want)
	}
	for _, s := range got.Sections {
		if !s.HasCheck {
			p.t.Fatalf("section %s has no check", s.ID)
		}
	}
	return got.Sections
}

// clickWrite clicks the Write file button of a file block and waits until
// the page says the file is written. An error shown under the block fails
// the test.
func (p *page) clickWrite(block string) {
	p.t.Helper()
	tabDo(p.t, p.ctx, "click Write file on "+block, chromedp.Click(chromedp.CSS(
		`button[data-testid="write-file"][data-block="`+block+`"]`)))
	sel := `.file-block[data-block="` + block + `"]`
	tabWait(p.t, p.ctx, "the file of "+block+" written", `!!document.querySelector('`+sel+` [data-testid="file-written"], `+sel+` .run-error')`)
	if msg := tabEval[string](p.t, p.ctx, `(document.querySelector('`+sel+` .run-error') || {}).textContent || ''`); msg != "" {
		p.t.Fatalf("Write file %s: the page says %q", block, msg)
	}
}

// checkUntilDone clicks a section's Check button until the page marks the
// section done, for state that settles a moment after the last command
// (a server starting to listen). On time out it fails with the hint.
func (p *page) checkUntilDone(sessionID, section string) {
	p.t.Helper()
	status := `document.querySelector('[data-testid="section-status"][data-section="` + section + `"]').dataset.status`
	button := `[data-testid="check-section"][data-section="` + section + `"]`
	isDone := func() error {
		if s := tabEval[string](p.t, p.ctx, status); s != "done" {
			return fmt.Errorf("the section is %s", s)
		}
		return nil
	}
	if err := waitfor.Poll(time.Minute, func() error {
		tabWait(p.t, p.ctx, "the Check button of "+section, `!document.querySelector('`+button+`').disabled`)
		if isDone() == nil {
			return nil
		}
		tabDo(p.t, p.ctx, "click Check on "+section, chromedp.Click(chromedp.CSS(button)))
		return waitfor.Poll(5*time.Second, isDone) // the check's answer, shown
	}); err != nil {
		hint := tabEval[string](p.t, p.ctx, `document.querySelector('[data-testid="check-output"][data-section="`+section+`"]').textContent`)
		p.t.Fatalf("section %s is not done (%v); its check says %q", section, err, hint)
	}
}

// followPortLink follows the link of a section's text to a port of node1,
// reloads it as the lab says to (a page the browser keeps from an earlier
// visit is only asked for again then), waits for it to show v.want, and
// comes back to the session's page. (In the same tab: the page opens port
// links in another, but chromedp does not evaluate in a second tab of the
// same browser context.)
func (p *page) followPortLink(sessionURL, section string, v portVisit) {
	p.t.Helper()
	href := tabEval[string](p.t, p.ctx, `(() => {
		const sec = [...document.querySelectorAll('.lab-section')].find((s) => s.dataset.section === `+jsString(section)+`);
		const a = sec && sec.querySelector('a.port-link[data-node="node1"][data-port="`+v.port+`"]');
		return a ? a.href : '';
	})()`)
	if href == "" {
		p.t.Fatalf("section %s has no link to node1's port %s", section, v.port)
	}
	tabDo(p.t, p.ctx, "follow the link to port "+v.port, chromedp.Navigate(href), chromedp.Reload())
	tabWait(p.t, p.ctx, "port "+v.port+"'s page showing "+strconv.Quote(v.want),
		`!!document.body && document.body.innerText.includes(`+jsString(v.want)+`)`)
	if host := tabEval[string](p.t, p.ctx, `location.host`); !strings.HasPrefix(host, "node1-"+v.port+"-") {
		p.t.Errorf("port %s opened at %q, not on a host of its own", v.port, host)
	}
	tabDo(p.t, p.ctx, "back to the session", chromedp.Navigate(sessionURL))
	tabWait(p.t, p.ctx, "node1's terminal connected again", `!!window.playground && window.playground.connected('node1') &&
		document.querySelectorAll('[data-testid="run"]').length > 0`)
}
