package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A cold start says how far it is on the home page (nodes, then engines)
// instead of a bare spinner.
func TestColdStartShowsProgress(t *testing.T) {
	h := newHarness(t)
	ctx := newTab(t)
	tabDo(t, ctx, "open the home page",
		chromedp.Navigate(h.base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="start-session"]`)),
	)
	// What the status line shows is kept in sessionStorage, which outlives
	// the move to the session page.
	tabEval[bool](t, ctx, `(() => {
		sessionStorage.setItem('seen', '[]');
		const el = document.querySelector('[data-testid="start-status"]');
		new MutationObserver(() => {
			const seen = JSON.parse(sessionStorage.getItem('seen'));
			seen.push(el.textContent);
			sessionStorage.setItem('seen', JSON.stringify(seen));
		}).observe(el, { childList: true, characterData: true, subtree: true });
		return true;
	})()`)
	tabDo(t, ctx, "start a session", chromedp.Click(chromedp.CSS(`[data-testid="start-session"]`)))
	p := &page{t: t, ctx: ctx}
	p.waitConnected()
	id := strings.TrimPrefix(tabEval[string](t, ctx, `location.pathname`), "/s/")
	defer p.endSession(id)
	seen := tabEval[[]string](t, ctx, `JSON.parse(sessionStorage.getItem('seen') || '[]')`)
	engines := false
	for _, s := range seen {
		engines = engines || s == "Nodes up; starting their Docker engines…"
	}
	if !engines {
		t.Errorf("the home page never said the engines were starting; it showed %q", seen)
	}
}
