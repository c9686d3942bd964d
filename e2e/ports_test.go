package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A port published in a node opens from the page, on a host of its own
// (*.localhost resolves to loopback in Chromium): the link appears in the
// node's header, shows the app's page, and the session's owner only gets
// there through the link.
func TestPortOpensFromThePage(t *testing.T) {
	h := newHarnessWith(t, "PLAYGROUND_PORTS_DOMAIN=localhost")
	ctx := newTab(t)
	p, id := startFromHome(t, ctx, h.base, "en")
	defer func() {
		crDo(t, ctx, "back to the session", chromedp.Navigate(h.base+"/s/"+id))
		p.endSession(id)
	}()
	p.waitText("node1", "a prompt", atPrompt)
	// The lab's image reaches the nodes in the background; then publish it.
	p.send("node1", "until docker image inspect mtbsoft/myipaddress:latest >/dev/null 2>&1; do sleep 0.5; done; docker run -d -p 8080:80 mtbsoft/myipaddress:latest\r")
	crWait(t, ctx, "node1's port 8080 shown as a link",
		`!!document.querySelector('[data-testid="terminal-node1"] [data-testid="port-link"][data-port="8080"]')`)
	// Sharing it gives a link; the button then takes it back.
	crDo(t, ctx, "share the port", chromedp.Click(chromedp.CSS(`[data-testid="terminal-node1"] [data-testid="share-port"][data-port="8080"]`)))
	crWait(t, ctx, "the port shown as shared",
		`document.querySelector('[data-testid="terminal-node1"] [data-testid="share-port"][data-port="8080"]').classList.contains('shared')`)
	href := crEval[string](t, ctx, `document.querySelector('[data-testid="terminal-node1"] [data-testid="port-link"][data-port="8080"]').href`)
	crDo(t, ctx, "follow the port's link", chromedp.Navigate(href))
	crWait(t, ctx, "the app's page", `/\d+\.\d+\.\d+\.\d+/.test(document.body.innerText)`)
	host := crEval[string](t, ctx, `location.host`)
	if !strings.HasPrefix(host, "node1-8080-") || !strings.Contains(host, ".localhost:") {
		t.Errorf("the port opened at %q, not a host of its own", host)
	}
	if body := crEval[string](t, ctx, `document.body.innerText`); !regexp.MustCompile(`^172\.`).MatchString(strings.TrimSpace(body)) {
		t.Errorf("the app's page says %q, want the container's address", body)
	}
}
