package e2e

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	pgclient "github.com/labplay/playground/client"
)

// The instructor pauses the whole class from the dashboard: the learner's
// open page says its session is paused, its terminals stop for good (one
// reconnecting would wake the session again) and the session stays
// paused. Resumed from the dashboard, the page opens again by itself with
// new shells and the file written before. Another instructor is refused
// as for an unknown class.
func TestClassPauseSeenFromTheLearnersPage(t *testing.T) {
	h := newHarness(t)
	h.addInstructor(crTeacher, crPassword)
	h.addInstructor("other@school.example", crPassword)
	teacher := newTab(t)
	learner := newPersonTab(t, teacher)

	classID, joinURL := crCreateClass(t, teacher, h.base, "Two-day workshop")
	sessionID := crJoin(t, learner, joinURL, "Ana")
	p := &page{t: t, ctx: learner}
	p.waitConnected()
	if out, code := p.shell("node1", "echo day-one > /root/day1.txt", false); code != 0 {
		t.Fatalf("write on node1 exited %d:\n%s", code, out)
	}
	tabWait(t, learner, "the page's news read", `!!document.querySelector('[data-testid="class-news"]')`)
	tabWait(t, teacher, "Ana in the dashboard", `!!document.querySelector('[data-testid="learner-row"][data-name="Ana"]') &&
		!document.querySelector('[data-testid="pause-class"]').disabled`)
	tabEval[bool](t, teacher, `window.confirm = () => true, true`)
	tabEval[bool](t, learner, `window.e2eNoReload = true`)

	// Paused by the instructor: the learner's page says so, without a
	// reload, and does not wake the session by reconnecting.
	tabDo(t, teacher, "pause the class", chromedp.Click(chromedp.CSS(`[data-testid="pause-class"]`)))
	tabWait(t, teacher, "the dashboard says the class is paused",
		`document.querySelector('[data-testid="dashboard-banner"]').textContent.includes('1 of 1')`)
	tabWait(t, learner, "the learner's page says the session is paused",
		`!!document.querySelector('[data-testid="resume-session"]') &&
		document.querySelector('[data-testid="session-banner"]').textContent.includes('Session paused') &&
		document.querySelector('[data-testid="time-left"]').textContent.startsWith('Paused')`)
	if !tabEval[bool](t, learner, `window.e2eNoReload === true`) {
		t.Fatal("the learner's page reloaded to show the pause")
	}
	tabShot(t, learner, "class-paused")
	// Longer than the terminals' longest wait before trying again: a
	// terminal reconnecting would have woken the session by now.
	tabWait(t, learner, "every terminal stopped", `['node1', 'node2', 'node3'].every((n) =>
		document.querySelector('[data-testid="terminal-' + n + '"]').dataset.state === 'ended')`)
	time.Sleep(6 * time.Second)
	status := tabEval[string](t, learner, `fetch('/api/sessions/`+sessionID+`').then((r) => r.json()).then((s) => s.status)`)
	if status != "paused" {
		t.Fatalf("after the class pause the session is %q, want paused (did the page wake it?)", status)
	}
	if running := h.runningNodes(t, sessionID); running != 0 {
		t.Fatalf("%d nodes of the paused session still run", running)
	}

	// Another instructor can neither pause nor resume the class.
	other := pgclient.New(h.base)
	if _, err := other.Do(context.Background(), http.MethodPost, "/api/instructors/login",
		map[string]string{"email": "other@school.example", "password": crPassword}, nil); err != nil {
		t.Fatalf("login: %v", err)
	}
	for _, path := range []string{"/api/classrooms/" + classID + "/resume", "/api/classrooms/" + classID + "/pause"} {
		_, err := other.Do(context.Background(), http.MethodPost, path, nil, nil)
		var apiErr *pgclient.APIError
		if !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
			t.Errorf("another instructor's POST %s: %v, want 404", path, err)
		}
	}
	if running := h.runningNodes(t, sessionID); running != 0 {
		t.Fatalf("%d nodes run after another instructor's tries", running)
	}

	// Resumed by the instructor: the page opens again by itself, with new
	// shells, and the file is there.
	tabDo(t, teacher, "resume the class", chromedp.Click(chromedp.CSS(`[data-testid="resume-class"]`)))
	p.waitConnected()
	out, code := p.shell("node1", "cat /root/day1.txt", false)
	if code != 0 || !strings.Contains(out, "day-one") {
		t.Fatalf("after the class resumed node1 shows (exit %d):\n%s", code, out)
	}
	if running := h.runningNodes(t, sessionID); running != 3 {
		t.Fatalf("after the class resumed %d nodes run, want 3", running)
	}
	tabWait(t, teacher, "both actions in the dashboard", `['pause', 'resume'].every((k) =>
		[...document.querySelectorAll('[data-testid="action"]')].some((a) => a.dataset.kind === k))`)
	p.endSession(sessionID)
}
