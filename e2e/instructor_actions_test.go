package e2e

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	pgclient "github.com/labplay/playground/client"
)

// minutesLeft is the expression of the minutes a session page's timer shows.
const minutesLeft = `parseInt((document.querySelector('[data-testid="time-left"]').textContent.match(/(\d+):\d\d/) || [])[1], 10)`

// The instructor acts on the class from the dashboard, and the learner's
// page shows each action at once: more time moves the timer, a message
// appears as plain text and stays (a reload shows it) until dismissed, a
// fresh node reconnects its terminal to an empty disk while the progress
// stays. Another instructor's requests are refused as unknown.
func TestInstructorActionsInTheBrowser(t *testing.T) {
	h := newHarness(t)
	h.addInstructor(crTeacher, crPassword)
	h.addInstructor("other@school.example", crPassword)
	teacher := newTab(t)
	learner := newPersonTab(t, teacher)

	classID, joinURL := crCreateClass(t, teacher, h.base, "Workshop, day one")
	sessionID := crJoin(t, learner, joinURL, "Ana")
	p := &page{t: t, ctx: learner}
	tabDo(t, learner, "run docker ps", run("orchestration-2"))
	tabWait(t, learner, "docker ps output", `window.playground.text('node1').includes('CONTAINER ID')`)
	tabDo(t, learner, "mark the first section done",
		chromedp.Click(chromedp.CSS(`button[data-testid="check-section"][data-section="orchestration"]`)))
	tabWait(t, teacher, "the first cell done", cell("Ana", "orchestration")+` === 'done'`)
	tabDo(t, teacher, "open Ana's pane",
		chromedp.Click(chromedp.CSS(`[data-testid="learner-row"][data-name="Ana"] [data-testid="open-learner"]`)))
	tabWait(t, teacher, "Ana's session end in the pane", `document.querySelector('[data-testid="learner-ends"]').dataset.at !== '' &&
		!document.querySelector('[data-testid="extend-learner"]').disabled &&
		document.querySelector('[data-testid="reset-node-select"]').options.length === 3`)
	tabEval[bool](t, teacher, `window.confirm = () => true, true`)

	// More time for Ana: her timer jumps by ten minutes, without a reload.
	tabEval[bool](t, learner, `window.e2eNoReload = true`)
	before := tabEval[int](t, learner, minutesLeft)
	endsBefore := tabEval[string](t, teacher, `document.querySelector('[data-testid="learner-ends"]').dataset.at`)
	// Clicked by the page's own handler rather than at its coordinates: the
	// dashboard's rows update live (Ana's check just arrived), and a row
	// growing under the pointer moved the button once.
	tabEval[bool](t, teacher, `(document.querySelector('[data-testid="extend-learner"]').click(), true)`)
	tabWait(t, learner, "the timer moved on", minutesLeft+` >= `+strconv.Itoa(before+9)+` &&
		document.querySelector('[data-testid="class-note"]').textContent.includes(':')`)
	tabWait(t, teacher, "the pane's end moved too", `document.querySelector('[data-testid="learner-ends"]').dataset.at !== `+jsString(endsBefore)+` &&
		[...document.querySelectorAll('[data-testid="action"]')].some((a) => a.dataset.kind === 'extend' && a.textContent.includes('Ana'))`)

	// A message: plain text on the learner's page, there after a reload,
	// gone for good once dismissed.
	text := `<b>Break</b> until 11:00, then "Swarm"`
	tabDo(t, teacher, "send a message",
		chromedp.SendKeys(chromedp.CSS(`[data-testid="message-text"]`), text),
		chromedp.Click(chromedp.CSS(`[data-testid="send-message"]`)))
	shown := `[...document.querySelectorAll('[data-testid="class-message-text"]')].some((m) => m.textContent === ` + jsString(text) + ` && !m.querySelector('b'))`
	tabWait(t, learner, "the message on the learner's page", shown)
	if !tabEval[bool](t, learner, `window.e2eNoReload === true`) {
		t.Fatal("the learner's page reloaded")
	}
	tabShot(t, learner, "instructor-message")
	tabDo(t, learner, "reload the page", chromedp.Reload())
	p.waitConnected()
	tabWait(t, learner, "the message still there", shown)
	tabDo(t, learner, "dismiss it", chromedp.Click(chromedp.CSS(`[data-testid="dismiss-message"]`)))
	tabWait(t, learner, "the message gone", `document.querySelectorAll('[data-testid="class-message"]').length === 0`)
	tabDo(t, learner, "reload again", chromedp.Reload())
	p.waitConnected()
	tabWait(t, learner, "the page's news read", `!!document.querySelector('[data-testid="class-news"]')`)
	if tabEval[int](t, learner, `document.querySelectorAll('[data-testid="class-message"]').length`) != 0 {
		t.Error("a dismissed message came back after a reload")
	}

	// A fresh node2: the terminal says so and reconnects to an empty disk;
	// node1 and the progress stay.
	if out, code := p.shell("node2", "echo mine > /root/mark && docker network create mine-net >/dev/null", false); code != 0 {
		t.Fatalf("write on node2 exited %d:\n%s", code, out)
	}
	if out, code := p.shell("node1", "echo kept > /root/mark", false); code != 0 {
		t.Fatalf("write on node1 exited %d:\n%s", code, out)
	}
	tabEval[bool](t, teacher, `(() => {
		const s = document.querySelector('[data-testid="reset-node-select"]');
		s.value = 'node2';
		return s.value === 'node2';
	})()`)
	tabDo(t, teacher, "give Ana a fresh node2", chromedp.Click(chromedp.CSS(`[data-testid="reset-node"]`)))
	tabWait(t, learner, "node2 said new and connected again", `document.querySelector('[data-testid="terminal-node2"]').dataset.renewed === '1' &&
		window.playground.connected('node2') && document.querySelector('[data-testid="class-note"]').textContent.includes('node2')`)
	tabShot(t, learner, "instructor-reset")
	out, _ := p.shell("node2", "cat /root/mark; docker network ls --format '{{.Name}}'", false)
	if strings.Contains(out, "mine") {
		t.Errorf("the fresh node2 still has what was there:\n%s", out)
	}
	if out, code := p.shell("node1", "cat /root/mark", false); code != 0 || !strings.Contains(out, "kept") {
		t.Errorf("node1 lost its file (exit %d):\n%s", code, out)
	}
	tabWait(t, teacher, "the reset in the dashboard, the progress kept", cell("Ana", "orchestration")+` === 'done' &&
		[...document.querySelectorAll('[data-testid="action"]')].some((a) => a.dataset.kind === 'reset_node' && a.textContent.includes('node2'))`)

	// Another instructor: every action answers as for an unknown class.
	tabShot(t, teacher, "instructor-actions")
	seat := tabEval[string](t, teacher, `document.querySelector('[data-testid="learner-row"][data-name="Ana"]').dataset.learner`)
	other := pgclient.New(h.base)
	if _, err := other.Do(context.Background(), http.MethodPost, "/api/instructors/login",
		map[string]string{"email": "other@school.example", "password": crPassword}, nil); err != nil {
		t.Fatalf("login: %v", err)
	}
	for _, act := range []struct {
		path string
		body any
	}{
		{"/api/classrooms/" + classID + "/extend", map[string]int{"minutes": 10}},
		{"/api/classrooms/" + classID + "/messages", map[string]string{"text": "not yours"}},
		{"/api/classrooms/" + classID + "/learners/" + seat + "/reset", map[string]string{"node": "node1"}},
		{"/api/classrooms/" + classID + "/pause", nil},
	} {
		_, err := other.Do(context.Background(), http.MethodPost, act.path, act.body, nil)
		var apiErr *pgclient.APIError
		if !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
			t.Errorf("another instructor's POST %s: %v, want 404", act.path, err)
		}
	}
	if n := tabEval[int](t, learner, `document.querySelectorAll('[data-testid="class-message"]').length`); n != 0 {
		t.Errorf("the learner's page shows %d messages after another instructor's tries", n)
	}
	p.endSession(sessionID)
}
