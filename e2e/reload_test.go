package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

var tickRE = regexp.MustCompile(`(?m)^tick-([0-9]+)$`)

// A reload while a command is still printing: the page comes back to the
// same running command, shows what it printed while the page was away, and
// every line appears exactly once.
func TestReloadInTheMiddleOfACommand(t *testing.T) {
	h := newHarness(t)
	ctx := newTab(t)
	p, id := startFromHome(t, ctx, h.base, "en")
	p.waitText("node1", "a prompt", atPrompt)
	const ticks = 60
	p.send("node1", fmt.Sprintf("for i in $(seq 1 %d); do echo tick-$i; sleep 0.1; done; echo loop-''done\r", ticks))
	p.waitText("node1", "the first ticks", func(s string) bool { return strings.Contains(s, "tick-5\n") })
	tabDo(t, ctx, "reload while the loop runs", chromedp.Reload())
	p.waitConnected()
	out := p.waitText("node1", "the end of the loop after the reload", func(s string) bool {
		return strings.Contains(s, "loop-done") && atPrompt(s)
	})
	seen := map[string]int{}
	for _, m := range tickRE.FindAllStringSubmatch(out, -1) {
		seen[m[1]]++
	}
	for i := 1; i <= ticks; i++ {
		if n := seen[fmt.Sprint(i)]; n != 1 {
			t.Fatalf("tick-%d appears %d times after the reload:\n%s", i, n, lastLines(out, 80))
		}
	}
	if strings.Count(out, "loop-done") != 1 {
		t.Fatalf("the loop ran more than once or its end is repeated:\n%s", lastLines(out, 20))
	}
	p.endSession(id)
}
