package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A learner who joined a class takes their session to another browser: the
// session page makes a link, a second browser (its own cookies) opens it,
// is asked, and lands on the same session with the same shell; stopping
// the link then leaves a third browser with a page that says so.
func TestDeviceLinkInTheBrowser(t *testing.T) {
	h := newHarness(t)
	h.addInstructor(crTeacher, crPassword)
	teacher := newTab(t)
	monday := newPersonTab(t, teacher)
	tuesday := newPersonTab(t, teacher)
	stranger := newPersonTab(t, teacher)

	_, joinURL := crCreateClass(t, teacher, h.base, "Swarm, Monday")
	sessionID := crJoin(t, monday, joinURL, "Ana")
	tabEval[bool](t, monday, `window.playground.send('node1', 'echo MONDAY-$((6*7))\r'), true`)
	tabWait(t, monday, "Monday's output", `window.playground.text('node1').includes('MONDAY-42')`)

	// Monday's page makes the link.
	tabDo(t, monday, "open the Another device panel",
		chromedp.Click(chromedp.CSS(`[data-testid="device-link"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="device-link-make"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="device-link-make"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="device-link-url"]`)),
	)
	tabShot(t, monday, "device-link")
	link := tabEval[string](t, monday, `document.querySelector('[data-testid="device-link-url"]').value`)
	if !strings.HasPrefix(link, h.base+"/continue/") {
		t.Fatalf("the link is %q, want one under %s/continue/", link, h.base)
	}

	// Tuesday's browser opens it, is told whose work it continues, and
	// continues: the same session, the same shell.
	tabDo(t, tuesday, "open the link", chromedp.Navigate(link))
	tabWait(t, tuesday, "what the link opens", `!document.querySelector('[data-testid="continue-actions"]').hidden &&
		document.querySelector('[data-testid="continue-info"]').textContent.includes('Ana')`)
	tabShot(t, tuesday, "continue")
	tabDo(t, tuesday, "continue here", chromedp.Click(chromedp.CSS(`[data-testid="continue-use"]`)))
	tabWait(t, tuesday, "Monday's session and shell", `location.pathname === '/s/`+sessionID+`' && window.playground &&
		['node1', 'node2', 'node3'].every((n) => window.playground.connected(n)) &&
		window.playground.text('node1').includes('MONDAY-42')`)
	tabEval[bool](t, tuesday, `window.playground.send('node1', 'echo TUESDAY-$((6*7))\r'), true`)
	tabWait(t, monday, "Tuesday's typing in Monday's terminal", `window.playground.text('node1').includes('TUESDAY-42')`)

	// Monday stops the link; a browser that opens it now is told so, and
	// stays who it was.
	tabDo(t, monday, "stop the link",
		chromedp.Click(chromedp.CSS(`[data-testid="device-link-stop"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="device-link-make"]`)),
	)
	tabDo(t, stranger, "open the stopped link", chromedp.Navigate(link))
	tabWait(t, stranger, "the refusal", `document.querySelector('[data-testid="continue-status"]').dataset.state === 'refused' &&
		document.querySelector('[data-testid="continue-status"]').textContent.includes('stopped') &&
		document.querySelector('[data-testid="continue-actions"]').hidden`)
	tabShot(t, stranger, "continue-refused")
	if n := tabEval[float64](t, stranger, `fetch('/api/sessions').then((r) => r.json()).then((j) => (j.sessions || []).length)`); n != 0 {
		t.Fatalf("the stranger's browser sees %v sessions after a stopped link, want 0", n)
	}
	// Tuesday's browser, which opened the link while it worked, is still Ana's.
	tabDo(t, tuesday, "reload", chromedp.Reload())
	tabWait(t, tuesday, "still the session", `window.playground && window.playground.connected('node1')`)
	// And, as Ana, it may end her session.
	(&page{t: t, ctx: tuesday}).endSession(sessionID)
}
