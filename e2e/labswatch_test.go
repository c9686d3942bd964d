package e2e

// The run-time labs folder watched by a running server, and "playground lab
// preview": edits reach the API, instructors and open pages without a
// restart.

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	pgclient "github.com/labplay/playground/client"
	"github.com/labplay/playground/internal/waitfor"
)

// watchedLab returns the files of a one-node lab named slug whose first
// section says text.
func watchedLab(slug, text string) map[string]string {
	return map[string]string{
		"lab.md": "---\nslug: " + slug + "\ntitle: Lab " + slug + "\nlanguages: en\nnodes: node1\n---\n\n" +
			"```check hello node1\ntest -f /root/hello.txt || { echo 'Create /root/hello.txt first.'; exit 1; }\n```\n",
		"en.md": "---\ntitle: Lab " + slug + "\n---\n\n# Say hello {#hello}\n\n" + text + "\n\n" +
			"```run node1\ntouch /root/hello.txt\n```\n",
	}
}

// brokenWatchedLab is watchedLab with a run block on a node the lab does
// not have, at line 9 of en.md.
func brokenWatchedLab(slug string) map[string]string {
	files := watchedLab(slug, "Broken on purpose.")
	files["en.md"] = strings.Replace(files["en.md"], "```run node1", "```run node7", 1)
	return files
}

// renderedLab is what GET /api/labs/{slug} answers, in part.
type renderedLab struct {
	Title    string `json:"title"`
	Version  string `json:"version"`
	Sections []struct {
		HTML string `json:"html"`
	} `json:"sections"`
}

// labProblems is what GET /api/lab-problems answers.
type labProblems struct {
	Labs []struct {
		Lab      string `json:"lab"`
		Served   bool   `json:"served"`
		Problems []struct {
			File    string `json:"file"`
			Line    int    `json:"line"`
			Message string `json:"message"`
		} `json:"problems"`
	} `json:"labs"`
}

// waitLab waits until GET /api/labs/{slug} answers a lab whose first
// section holds text, and returns it.
func waitLab(t *testing.T, ctx context.Context, c *pgclient.Client, slug, text string) renderedLab {
	t.Helper()
	var got renderedLab
	waitfor.Until(t, "lab "+slug+" served with "+text, 30*time.Second, func() error {
		got = renderedLab{}
		if _, err := c.Do(ctx, "GET", "/api/labs/"+slug, nil, &got); err != nil {
			return err
		}
		if len(got.Sections) == 0 || !strings.Contains(got.Sections[0].HTML, text) {
			return fmt.Errorf("served: %+v", got)
		}
		return nil
	})
	return got
}

// A running server reads its labs folder again as it changes: a lab added
// is served (with its own node count), an edit is served changed, a broken
// edit keeps the last good version while its file:line problems reach
// instructors (and the log), a fix is served, a removed lab is gone, and a
// lab replacing a built-in one gives it back when removed.
func TestLabsFolderWatch(t *testing.T) {
	dir := t.TempDir()
	writeLab(t, dir, "watched", watchedLab("watched", "Version one."))
	h := newHarness(t, "PLAYGROUND_LABS_DIR="+dir)
	h.addInstructor(crTeacher, crPassword)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	c := pgclient.New(h.base)
	teacher := pgclient.New(h.base)
	if err := teacher.Login(ctx, crTeacher, crPassword); err != nil {
		t.Fatal(err)
	}

	v1 := waitLab(t, ctx, c, "watched", "Version one.")
	writeLab(t, dir, "watched", watchedLab("watched", "Version two."))
	v2 := waitLab(t, ctx, c, "watched", "Version two.")
	if v1.Version == "" || v1.Version == v2.Version {
		t.Errorf("versions %q then %q: want two different ones", v1.Version, v2.Version)
	}
	var version struct {
		Version  string `json:"version"`
		PollMS   int    `json:"poll_ms"`
		Problems []any  `json:"problems"`
	}
	if _, err := c.Do(ctx, "GET", "/api/labs/watched/version", nil, &version); err != nil {
		t.Fatal(err)
	}
	if version.Version != v2.Version || version.PollMS != 30000 {
		t.Errorf("version answer %+v; want %s, polled every 30 s", version, v2.Version)
	}

	// A lab added while the server runs starts sessions of its own size.
	writeLab(t, dir, "added-later", watchedLab("added-later", "Added later."))
	waitLab(t, ctx, c, "added-later", "Added later.")
	s, err := c.CreateSession(ctx, "added-later", "en")
	if err != nil {
		t.Fatal(err)
	}
	defer c.DeleteSession(context.Background(), s.ID)
	if len(s.Nodes) != 1 {
		t.Errorf("a session of the added lab has %d nodes, want 1", len(s.Nodes))
	}
	if r, err := c.Check(ctx, s.ID, "hello"); err != nil || r.Passed || !strings.Contains(r.Output, "Create /root/hello.txt") {
		t.Errorf("check of the added lab = %+v, %v; want its own hint", r, err)
	}

	// Broken: the last good version stays, the problems reach instructors.
	writeLab(t, dir, "watched", brokenWatchedLab("watched"))
	var problems labProblems
	waitfor.Until(t, "the broken edit listed for instructors", 30*time.Second, func() error {
		problems = labProblems{}
		if _, err := teacher.Do(ctx, "GET", "/api/lab-problems", nil, &problems); err != nil {
			return err
		}
		if len(problems.Labs) == 0 {
			return fmt.Errorf("none listed")
		}
		return nil
	})
	if b := problems.Labs[0]; b.Lab != "watched" || !b.Served || len(b.Problems) == 0 ||
		b.Problems[0].File != "watched/en.md" || b.Problems[0].Line != 9 {
		t.Errorf("problems listed: %+v; want watched/en.md:9, with the last good version served", problems)
	}
	if got := waitLab(t, ctx, c, "watched", "Version two."); got.Version != v2.Version {
		t.Errorf("after a broken edit, version %s is served, want the last good %s", got.Version, v2.Version)
	}
	if !strings.Contains(h.logs.String(), filepath.Join(dir, "watched", "en.md")+":9:") {
		t.Errorf("the log does not name %s:9", filepath.Join(dir, "watched", "en.md"))
	}
	// The instructor's page shows them in a box of their own.
	tab := newTab(t)
	tabDo(t, tab, "log in",
		chromedp.Navigate(h.base+"/instructor"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="login-email"]`), crTeacher),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="login-password"]`), crPassword),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="create-form"]`)),
	)
	tabWait(t, tab, "the labs with problems on the instructor's page", `(() => {
		const card = document.querySelector('[data-testid="lab-problems-card"]');
		return !!card && card.innerText.includes('watched/en.md:9:');
	})()`)
	tabShot(t, tab, "labs-with-problems")
	if resp, err := c.Do(ctx, "GET", "/api/lab-problems", nil, nil); err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a learner asked for the labs' problems: %v; want 401", err)
	}

	// Fixed, then removed; a built-in lab replaced, then given back.
	writeLab(t, dir, "watched", watchedLab("watched", "Version three."))
	waitLab(t, ctx, c, "watched", "Version three.")
	problems = labProblems{}
	if _, err := teacher.Do(ctx, "GET", "/api/lab-problems", nil, &problems); err != nil || len(problems.Labs) != 0 {
		t.Errorf("problems after the fix: %+v, %v; want none", problems, err)
	}
	if err := os.RemoveAll(filepath.Join(dir, "added-later")); err != nil {
		t.Fatal(err)
	}
	waitfor.Until(t, "the removed lab gone", 30*time.Second, func() error {
		resp, err := c.Do(ctx, "GET", "/api/labs/added-later", nil, nil)
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return nil
		}
		return fmt.Errorf("still answered: %v", err)
	})
	var builtin renderedLab
	if _, err := c.Do(ctx, "GET", "/api/labs/docker-basics", nil, &builtin); err != nil {
		t.Fatal(err)
	}
	writeLab(t, dir, "docker-basics", watchedLab("docker-basics", "The teacher's own basics."))
	waitLab(t, ctx, c, "docker-basics", "The teacher's own basics.")
	if err := os.RemoveAll(filepath.Join(dir, "docker-basics")); err != nil {
		t.Fatal(err)
	}
	if back := waitLab(t, ctx, c, "docker-basics", builtin.Sections[0].HTML); back.Version != builtin.Version {
		t.Errorf("the built-in lab came back as version %s, want %s", back.Version, builtin.Version)
	}
}

// previewURLRE matches the line "playground lab preview" prints.
var previewURLRE = regexp.MustCompile(`open (http://\S+/\?lab=(\S+))`)

// startPreview runs "playground lab preview" on dir, in the harness's
// deployment (its database and instance), and returns the URL it prints.
// It is stopped when the test ends, before the harness looks for leftovers.
func startPreview(t *testing.T, h *harness, dir string) string {
	t.Helper()
	cmd := exec.Command(h.bin, "lab", "preview", "-addr", "127.0.0.1:0", dir)
	cmd.Env = h.environ()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	err = cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		defer r.Close()
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			fmt.Fprintf(&h.logs, "[preview] %s\n", sc.Text())
			if m := previewURLRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case urls <- m[1]:
				default:
				}
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			t.Errorf("the preview did not stop within 30 s of SIGTERM")
			cmd.Process.Kill()
		}
	})
	select {
	case u := <-urls:
		return u
	case err := <-exited:
		t.Fatalf("the preview exited: %v\n%s", err, h.logs.String())
	case <-time.After(2 * time.Minute):
		t.Fatalf("the preview printed no URL within 2 minutes\n%s", h.logs.String())
	}
	return ""
}

// "playground lab preview DIR" serves the lab of DIR; in a session page of
// it, each save shows the new text within seconds, keeping the terminal and
// its shell, and a save that fails lint shows its problems above the last
// good text until it is fixed.
func TestLabsFolderWatchPreview(t *testing.T) {
	h := newHarness(t)
	src := t.TempDir()
	dir := filepath.Join(src, "my-draft")
	writeLab(t, src, "my-draft", watchedLab("my-draft", "First draft."))
	url := startPreview(t, h, dir)
	if !strings.HasSuffix(url, "/?lab=my-draft") {
		t.Fatalf("the preview printed %s", url)
	}

	tab := newTab(t)
	tabDo(t, tab, "open the preview's address",
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="start-session"]`)),
	)
	tabWait(t, tab, "the lab picked", `document.querySelector('[data-testid="home-lab"]').value === 'my-draft'`)
	tabDo(t, tab, "start a session", chromedp.Click(chromedp.CSS(`[data-testid="start-session"]`)))
	tabWait(t, tab, "node1's terminal connected", `location.pathname.startsWith('/s/') && !!window.playground &&
		window.playground.connected('node1')`)
	p := &page{t: t, ctx: tab}
	defer p.endSession(strings.TrimPrefix(tabEval[string](t, tab, `location.pathname`), "/s/"))
	tabWait(t, tab, "the first draft shown", `document.querySelector('.lab-section')?.innerText.includes('First draft.')`)
	tabEval[bool](t, tab, `window.playground.send('node1', 'echo still-$((6*7))-here\r') || true`)
	tabWait(t, tab, "the shell's answer", `window.playground.text('node1').includes('still-42-here')`)
	connects := tabEval[int](t, tab, `window.playground.connects('node1')`)

	start := time.Now()
	writeLab(t, src, "my-draft", watchedLab("my-draft", "Second draft."))
	tabWait(t, tab, "the second draft shown", `document.querySelector('.lab-section')?.innerText.includes('Second draft.')`)
	t.Logf("an edit reached the open page in %v", time.Since(start).Round(100*time.Millisecond))
	if got := tabEval[int](t, tab, `window.playground.connects('node1')`); got != connects ||
		!tabEval[bool](t, tab, `window.playground.connected('node1') && window.playground.text('node1').includes('still-42-here')`) {
		t.Errorf("the terminal did not survive the new text (%d connects, then %d)", connects, got)
	}

	writeLab(t, src, "my-draft", brokenWatchedLab("my-draft"))
	tabWait(t, tab, "the problems shown", `(() => {
		const box = document.querySelector('[data-testid="lab-problems"]');
		return !!box && !box.hidden && box.innerText.includes('my-draft/en.md:9:');
	})()`)
	tabShot(t, tab, "preview-problems")
	if !tabEval[bool](t, tab, `document.querySelector('.lab-section').innerText.includes('Second draft.')`) {
		t.Error("the last good text is not shown beside the problems")
	}
	writeLab(t, src, "my-draft", watchedLab("my-draft", "Third draft."))
	tabWait(t, tab, "the fix shown, without problems", `document.querySelector('.lab-section')?.innerText.includes('Third draft.') &&
		document.querySelector('[data-testid="lab-problems"]').hidden`)
}

// A lab that fails lint from the start is not served by its preview: the
// home page at its address shows its problems, then, once it is fixed,
// picks it.
func TestLabsFolderWatchPreviewBroken(t *testing.T) {
	h := newHarness(t)
	src := t.TempDir()
	writeLab(t, src, "never-good", brokenWatchedLab("never-good"))
	url := startPreview(t, h, filepath.Join(src, "never-good"))
	tab := newTab(t)
	tabDo(t, tab, "open the preview's address",
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="start-session"]`)),
	)
	tabWait(t, tab, "the problems on the home page", `(() => {
		const box = document.querySelector('[data-testid="lab-problems"]');
		return !!box && !box.hidden && box.innerText.includes('never-good/en.md:9:');
	})()`)
	writeLab(t, src, "never-good", watchedLab("never-good", "Good at last."))
	tabWait(t, tab, "the fixed lab picked", `document.querySelector('[data-testid="home-lab"]').value === 'never-good' &&
		document.querySelector('[data-testid="lab-problems"]').hidden`)
}
