package e2e

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"

	"github.com/labplay/playground/sessions/engine"
)

// A port published in a node opens from the page, on a host of its own
// (*.localhost resolves to loopback in Chromium): the link appears in the
// node's header, shows the app's page, and the session's owner only gets
// there through the link.
func TestPortOpensFromThePage(t *testing.T) {
	h := newHarness(t, "PLAYGROUND_PORTS_DOMAIN=localhost")
	ctx := newTab(t)
	p, id := startFromHome(t, ctx, h.base, "en")
	defer func() {
		tabDo(t, ctx, "back to the session", chromedp.Navigate(h.base+"/s/"+id))
		p.endSession(id)
	}()
	p.waitText("node1", "a prompt", atPrompt)
	// The lab's image reaches the nodes in the background; then publish it.
	p.send("node1", "until docker image inspect mtbsoft/myipaddress:latest >/dev/null 2>&1; do sleep 0.5; done; docker run -d -p 8080:80 mtbsoft/myipaddress:latest\r")
	tabWait(t, ctx, "node1's port 8080 shown as a link",
		`!!document.querySelector('[data-testid="terminal-node1"] [data-testid="port-link"][data-port="8080"]')`)
	// Sharing it gives a link; the button then takes it back.
	tabDo(t, ctx, "share the port", chromedp.Click(chromedp.CSS(`[data-testid="terminal-node1"] [data-testid="share-port"][data-port="8080"]`)))
	tabWait(t, ctx, "the port shown as shared",
		`document.querySelector('[data-testid="terminal-node1"] [data-testid="share-port"][data-port="8080"]').classList.contains('shared')`)
	href := tabEval[string](t, ctx, `document.querySelector('[data-testid="terminal-node1"] [data-testid="port-link"][data-port="8080"]').href`)
	tabDo(t, ctx, "follow the port's link", chromedp.Navigate(href))
	tabWait(t, ctx, "the app's page", `/\d+\.\d+\.\d+\.\d+/.test(document.body.innerText)`)
	host := tabEval[string](t, ctx, `location.host`)
	if !strings.HasPrefix(host, "node1-8080-") || !strings.Contains(host, ".localhost:") {
		t.Errorf("the port opened at %q, not a host of its own", host)
	}
	if body := tabEval[string](t, ctx, `document.body.innerText`); !regexp.MustCompile(`^172\.`).MatchString(strings.TrimSpace(body)) {
		t.Errorf("the app's page says %q, want the container's address", body)
	}
}

// A Compose service's port and a websocket app open from the page: the
// links appear in the node's header, the Compose service's page shows, and
// a websocket from the app's own page echoes through the playground.
func TestComposeAndWebsocketFromThePage(t *testing.T) {
	h := newHarness(t, "PLAYGROUND_PORTS_DOMAIN=localhost")
	ctx := newTab(t)
	p, id := startFromHome(t, ctx, h.base, "en")
	defer func() {
		tabDo(t, ctx, "back to the session", chromedp.Navigate(h.base+"/s/"+id))
		p.endSession(id)
	}()
	p.waitText("node1", "a prompt", atPrompt)
	// The websocket app (server/testdata/pgecho), built here and put in
	// node1 through the engine.
	bin := filepath.Join(t.TempDir(), "pgecho")
	build := exec.Command("go", "build", "-o", bin, "../server/testdata/pgecho")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build pgecho: %v\n%s", err, out)
	}
	list, err := h.docker.ContainerList(context.Background(), container.ListOptions{Filters: filters.NewArgs(
		filters.Arg("label", engine.LabelSession+"="+id), filters.Arg("label", engine.LabelNode+"=node1"))})
	if err != nil || len(list) != 1 {
		t.Fatalf("node1's container: %v (%d)", err, len(list))
	}
	copyInto(t, h, list[0].ID, bin, "/usr/local/bin/pgecho")
	p.send("node1", "(setsid pgecho -addr :9000 >/tmp/pgecho.log 2>&1 &); mkdir -p app && cd app && printf 'services:\\n  web:\\n    image: mtbsoft/myipaddress:latest\\n    ports: [\"8081:80\"]\\n' > compose.yaml && until docker image inspect mtbsoft/myipaddress:latest >/dev/null 2>&1; do sleep 0.5; done; docker compose up -d\r")
	link := func(port string) string {
		sel := `[data-testid="terminal-node1"] [data-testid="port-link"][data-port="` + port + `"]`
		tabWait(t, ctx, "node1's port "+port+" shown as a link", `!!document.querySelector('`+sel+`')`)
		return tabEval[string](t, ctx, `document.querySelector('`+sel+`').href`)
	}
	compose, ws := link("8081"), link("9000")
	tabDo(t, ctx, "open the Compose service", chromedp.Navigate(compose))
	tabWait(t, ctx, "the Compose service's page", `/^172\.\d+\.\d+\.\d+/.test(document.body.innerText.trim())`)
	tabDo(t, ctx, "open the websocket app", chromedp.Navigate(ws))
	tabWait(t, ctx, "the app's page", `document.body.innerText.includes('pgecho path=/')`)
	got := tabEval[string](t, ctx, `new Promise((resolve) => {
		const s = new WebSocket('ws://' + location.host + '/ws');
		s.onopen = () => s.send('hi');
		s.onmessage = (ev) => { resolve(ev.data); s.close(); };
		s.onerror = () => resolve('error');
		setTimeout(() => resolve('timeout'), 20000);
	})`)
	if got != "echo:hi" {
		t.Errorf("the websocket through the port answered %q", got)
	}
}

// copyInto writes a host file into a node, executable, through an exec.
func copyInto(t *testing.T, h *harness, containerID, src, dst string) {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx := context.Background()
	ex, err := h.docker.ContainerExecCreate(ctx, containerID, container.ExecOptions{
		Cmd: []string{"sh", "-c", "cat > " + dst + " && chmod +x " + dst}, AttachStdin: true, AttachStdout: true, AttachStderr: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	hj, err := h.docker.ContainerExecAttach(ctx, ex.ID, container.ExecAttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer hj.Close()
	if _, err := io.Copy(hj.Conn, f); err != nil {
		t.Fatal(err)
	}
	hj.CloseWrite()
	io.Copy(io.Discard, hj.Reader)
}
