package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The page warns before a session ends, and More time pushes the end back.
func TestExtendBeforeTheEnd(t *testing.T) {
	h := newHarness(t, "PLAYGROUND_SESSION_LIFETIME=4m", "PLAYGROUND_SESSION_EXTEND=10m")
	ctx := newTab(t)
	p, id := startFromHome(t, ctx, h.base, "en")
	defer p.endSession(id)
	tabWait(t, ctx, "the warning before the end", `(() => { const b = document.querySelector('[data-testid="session-banner"]'); return !b.hidden && b.textContent.includes('ends in'); })()`)
	before := tabEval[string](t, ctx, `document.querySelector('[data-testid="time-left"]').textContent`)
	tabDo(t, ctx, "ask for more time", chromedp.Click(chromedp.CSS(`[data-testid="extend-session"]`)))
	tabWait(t, ctx, "more time left", `parseInt(document.querySelector('[data-testid="time-left"]').textContent, 10) >= 13`)
	if !tabEval[bool](t, ctx, `document.querySelector('[data-testid="session-banner"]').hidden`) {
		t.Error("the warning stays after the session was extended")
	}
	if !strings.HasPrefix(before, "03:") && !strings.HasPrefix(before, "04:") {
		t.Errorf("time left before the extension: %q, want under 5 minutes", before)
	}
}
