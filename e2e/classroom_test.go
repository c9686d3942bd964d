package e2e

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	pgclient "github.com/labplay/playground/client"
	"github.com/labplay/playground/labs"
	"github.com/labplay/playground/sessions/classroom"
)

// crTeacher and crPassword are the instructor the tests create.
const (
	crTeacher  = "teacher@school.example"
	crPassword = "correct horse battery staple"
)

// crLogin logs a client in as an instructor.
func crLogin(t testing.TB, c *pgclient.Client, email string) {
	t.Helper()
	if _, err := c.Do(context.Background(), http.MethodPost, "/api/instructors/login",
		map[string]string{"email": email, "password": crPassword}, nil); err != nil {
		t.Fatalf("login: %v", err)
	}
}

// crCreateClass logs the instructor in on base through the login page,
// creates a classroom with the form and waits for its dashboard to be live.
// It returns the classroom's id and join link.
func crCreateClass(t *testing.T, ctx context.Context, base, name string) (id, joinURL string) {
	t.Helper()
	tabDo(t, ctx, "log in",
		chromedp.Navigate(base+"/instructor"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="login-email"]`), crTeacher),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="login-password"]`), crPassword),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="create-form"]`)),
	)
	tabWait(t, ctx, "the labs in the form", `document.querySelector('[data-testid="class-lab"]').options.length > 0`)
	tabEval[bool](t, ctx, `(() => {
		const s = document.querySelector('[data-testid="class-lab"]');
		s.value = 'docker-orchestration';
		s.dispatchEvent(new Event('change'));
		return s.value === 'docker-orchestration';
	})()`)
	tabShot(t, ctx, "instructor")
	tabDo(t, ctx, "create a class",
		chromedp.SendKeys(chromedp.CSS(`[data-testid="class-name-input"]`), name),
		chromedp.Click(chromedp.CSS(`[data-testid="create-classroom"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="progress-grid"]`)),
	)
	tabWait(t, ctx, "the live dashboard", `window.playgroundDashboard && window.playgroundDashboard.live() &&
		document.querySelector('[data-testid="join-url"]').href.includes('/join/')`)
	joinURL = tabEval[string](t, ctx, `document.querySelector('[data-testid="join-url"]').href`)
	id = path.Base(tabEval[string](t, ctx, `location.pathname`))
	// A marker that a reload would wipe out.
	tabEval[bool](t, ctx, `window.crNoReload = true`)
	return id, joinURL
}

// crJoin makes the learner open a join link, give a name, and land on a
// session whose three terminals are connected.
func crJoin(t *testing.T, ctx context.Context, link, name string) string {
	t.Helper()
	tabDo(t, ctx, "open the join link",
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="join-name"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="join-name"]`), name),
	)
	tabShot(t, ctx, "join")
	tabDo(t, ctx, "join", chromedp.Click(chromedp.CSS(`[data-testid="join-submit"]`)))
	tabWait(t, ctx, "the session's terminals", `location.pathname.startsWith('/s/') && window.playground &&
		['node1', 'node2', 'node3'].every((n) => window.playground.connected(n))`)
	tabWait(t, ctx, "the lab", `document.querySelector('button[data-testid="run"][data-block="swarm-1"]') !== null`)
	return path.Base(tabEval[string](t, ctx, `location.pathname`))
}

// crJoinByCode joins a class from the home page's code box, as a learner
// who was told the code aloud does, and returns the session id.
func crJoinByCode(t *testing.T, ctx context.Context, base, code, name string) string {
	t.Helper()
	tabDo(t, ctx, "type the code on the home page",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="class-code"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="class-code"]`), code),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="class-name"]`), name),
		chromedp.Click(chromedp.CSS(`[data-testid="join-class"]`)),
	)
	tabWait(t, ctx, "the session's terminals", `location.pathname.startsWith('/s/') && window.playground &&
		['node1', 'node2', 'node3'].every((n) => window.playground.connected(n))`)
	return path.Base(tabEval[string](t, ctx, `location.pathname`))
}

// cell is the expression of a dashboard cell's status.
func cell(name, section string) string {
	return `window.playgroundDashboard.cell(` + strconv.Quote(name) + `, ` + strconv.Quote(section) + `)`
}

func run(block string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.CSS(`button[data-testid="run"][data-block="` + block + `"]`))
}

// The whole class in one process: the instructor creates the class, the
// learner joins by its link and works with Run buttons, the grid follows
// without a reload, the read-only view shows the learner's terminal and
// ignores typing, the CSV holds the right rows, and closing ends the session.
func TestClassroomInTheBrowser(t *testing.T) {
	h := newHarness(t)
	base := h.base
	h.addInstructor(crTeacher, crPassword)
	teacher := newTab(t)
	learner := newPersonTab(t, teacher)

	classID, joinURL := crCreateClass(t, teacher, base, "Swarm, Tuesday")
	sessionID := crJoin(t, learner, joinURL, "Ana")
	tabWait(t, teacher, "Ana in the grid", cell("Ana", "orchestration")+` === 'pending'`)

	// First section: a Run button, then "Mark as done".
	tabDo(t, learner, "run docker ps", run("orchestration-2"))
	tabWait(t, learner, "docker ps output", `window.playground.text('node1').includes('CONTAINER ID')`)
	tabDo(t, learner, "mark the first section done",
		chromedp.Click(chromedp.CSS(`button[data-testid="check-section"][data-section="orchestration"]`)))
	tabWait(t, teacher, "the first cell done", cell("Ana", "orchestration")+` === 'done'`)

	// Swarm: after the init alone the automatic check fails, and the grid
	// shows it with the hint; once the workers join it turns done.
	tabDo(t, learner, "docker swarm init", run("swarm-1"))
	tabWait(t, learner, "the swarm", `window.playground.text('node1').includes('Swarm initialized')`)
	tabWait(t, teacher, "a failed cell with its hint", cell("Ana", "swarm")+` === 'failed' &&
		document.querySelector('[data-testid="cell"][data-learner="Ana"][data-section="swarm"] [data-testid="cell-hint"]')?.textContent.length > 0`)
	tabDo(t, learner, "join node2", run("swarm-3"))
	tabWait(t, learner, "node2 in the swarm", `window.playground.text('node2').includes('joined a swarm')`)
	tabDo(t, learner, "join node3", run("swarm-4"))
	tabWait(t, learner, "node3 in the swarm", `window.playground.text('node3').includes('joined a swarm')`)
	tabWait(t, teacher, "the swarm cell done", cell("Ana", "swarm")+` === 'done'`)

	// Looking over the learner's shoulder: her scrollback and live output,
	// and nothing the instructor types reaches her shell.
	tabDo(t, teacher, "open Ana's pane",
		chromedp.Click(chromedp.CSS(`[data-testid="learner-row"][data-name="Ana"] [data-testid="open-learner"]`)))
	tabWait(t, teacher, "Ana's node1, read-only, with her scrollback", `window.playgroundWatch &&
		window.playgroundWatch.readonly('node1') && window.playgroundWatch.text('node1').includes('Swarm initialized')`)
	tabDo(t, teacher, "type into the watched terminal",
		chromedp.Click(chromedp.CSS(`[data-testid="watch-terminals"] [data-testid="terminal-node1"] .term-body`)),
		chromedp.KeyEvent("echo TEACHER-TYPED\r"))
	tabEval[bool](t, learner, `window.playground.send('node1', 'echo LEARNER-$((6*7))\r'), true`)
	tabWait(t, learner, "the learner's own command", `window.playground.text('node1').includes('LEARNER-42')`)
	tabWait(t, teacher, "the learner's command, live in the watched terminal", `window.playgroundWatch.text('node1').includes('LEARNER-42')`)
	tabShot(t, teacher, "dashboard")
	tabShot(t, learner, "learner")
	if text := tabEval[string](t, learner, `window.playground.text('node1')`); strings.Contains(text, "TEACHER-TYPED") {
		t.Fatalf("the instructor's typing reached the learner's shell:\n%s", text)
	}

	// The export: one row per learner and section, the right statuses.
	lab, err := labs.Builtin().Get("docker-orchestration")
	if err != nil {
		t.Fatal(err)
	}
	text := tabEval[string](t, teacher, `fetch('/api/classrooms/`+classID+`/progress.csv').then((r) => r.text())`)
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v\n%s", err, text)
	}
	if len(rows) != 1+len(lab.SectionIDs()) || strings.Join(rows[0], ",") != strings.Join(classroom.CSVHeader, ",") {
		t.Fatalf("csv has %d rows, want a header and %d:\n%s", len(rows), len(lab.SectionIDs()), text)
	}
	for i, id := range lab.SectionIDs() {
		r := rows[i+1]
		attempts, _ := strconv.Atoi(r[7])
		switch {
		case r[0] != "Ana" || r[4] != id:
			t.Errorf("row %d = %v, want Ana and section %s", i+1, r, id)
		case id == "orchestration" && (r[6] != "done" || attempts != 1):
			t.Errorf("orchestration row = %v, want done after 1 attempt", r)
		case id == "swarm" && (r[6] != "done" || attempts < 2 || r[10] == ""):
			t.Errorf("swarm row = %v, want done after a failure, with a completion time", r)
		case id != "orchestration" && id != "swarm" && r[6] == "done":
			t.Errorf("row %v is done, but Ana never did it", r)
		}
	}
	if !tabEval[bool](t, teacher, `window.crNoReload === true`) {
		t.Fatal("the dashboard reloaded")
	}

	// Closing the class ends Ana's session; the grid says so.
	tabEval[bool](t, teacher, `window.confirm = () => true, true`)
	tabDo(t, teacher, "close the class", chromedp.Click(chromedp.CSS(`[data-testid="close-classroom"]`)))
	tabWait(t, teacher, "the class closed", `document.querySelector('[data-testid="classroom-status"]').classList.contains('closed') &&
		document.querySelector('[data-testid="learner-row"][data-name="Ana"]').dataset.session === 'ended'`)
	status := tabEval[string](t, learner, `fetch('/api/sessions/`+sessionID+`').then((r) => r.json()).then((s) => s.status)`)
	if status != "ended" {
		t.Fatalf("Ana's session is %q after the class closed", status)
	}
}

// The learner works on one server process, the instructor watches on
// another; they share only the database.
func TestClassroomAcrossProcesses(t *testing.T) {
	h := newHarness(t)
	a, b := h.base, h.addServer("B")
	h.addInstructor(crTeacher, crPassword)
	teacher := newTab(t)
	learner := newPersonTab(t, teacher)

	classID, joinURL := crCreateClass(t, teacher, b, "Swarm, two processes")
	u, err := url.Parse(joinURL)
	if err != nil || !strings.HasPrefix(joinURL, b) {
		t.Fatalf("join link %q is not on process B (%s)", joinURL, b)
	}
	crJoinByCode(t, learner, a, path.Base(u.Path), "Ana") // the code box on process A
	tabWait(t, teacher, "Ana in the grid on B", cell("Ana", "orchestration")+` === 'pending'`)

	tabDo(t, learner, "mark the first section done on A",
		chromedp.Click(chromedp.CSS(`button[data-testid="check-section"][data-section="orchestration"]`)))
	tabWait(t, teacher, "the cell done on B", cell("Ana", "orchestration")+` === 'done'`)
	tabDo(t, learner, "docker swarm init on A", run("swarm-1"))
	tabWait(t, teacher, "the failed swarm check on B", cell("Ana", "swarm")+` === 'failed'`)
	if !tabEval[bool](t, teacher, `window.crNoReload === true`) {
		t.Fatal("the dashboard reloaded")
	}
	tabEval[int](t, teacher, `fetch('/api/classrooms/`+classID+`/close', {method: 'POST'}).then((r) => r.status)`)
	tabWait(t, teacher, "the class closed on B", `document.querySelector('[data-testid="classroom-status"]').classList.contains('closed')`)
}
