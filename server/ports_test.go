package server

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/gorilla/websocket"

	"github.com/labplay/playground/client"
)

// startApp builds the test web app (testdata/pgecho), copies it into a
// node through an exec and starts it listening on :9000.
func startApp(t *testing.T, e *env, containerID string) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "pgecho")
	build := exec.Command("go", "build", "-o", bin, "./testdata/pgecho")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build pgecho: %v\n%s", err, out)
	}
	f, err := os.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx := context.Background()
	ex, err := e.docker.ContainerExecCreate(ctx, containerID, container.ExecOptions{
		Cmd: []string{"sh", "-c", "cat > /usr/local/bin/pgecho && chmod +x /usr/local/bin/pgecho"}, AttachStdin: true, AttachStdout: true, AttachStderr: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	hj, err := e.docker.ContainerExecAttach(ctx, ex.ID, container.ExecAttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(hj.Conn, f)
	hj.CloseWrite()
	io.Copy(io.Discard, hj.Reader)
	hj.Close()
	if out, code, err := e.engine.Exec(ctx, containerID, "(setsid pgecho >/tmp/pgecho.log 2>&1 &) ; for i in $(seq 50); do playground node ports | grep -qx 9000 && exit 0; sleep 0.1; done; cat /tmp/pgecho.log; exit 1", 30*time.Second); err != nil || code != 0 {
		t.Fatalf("start pgecho: %v %d %s", err, code, out)
	}
}

// get fetches a URL with a client's cookies and returns status and body.
func get(t *testing.T, c *http.Client, u, host string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	if host != "" {
		req.Host = host
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

// A port a node listens on opens from the page: listed with its URL,
// served under /ports/ with the playground's cookies kept from the app,
// websockets and large downloads passing; a stranger gets 404.
func TestPortsPathForm(t *testing.T) {
	e := newEnv(t, envConfig{Docker: true})
	ctx := context.Background()
	owner := client.New(e.ts.URL)
	s, err := owner.CreateSession(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	startApp(t, e, containerOf(t, e, s.ID, "node2"))

	var list struct {
		Nodes []struct {
			Name  string
			Ports []struct {
				Port int
				URL  string
			}
		}
	}
	if _, err := owner.Do(ctx, "GET", "/api/sessions/"+s.ID+"/ports", nil, &list); err != nil {
		t.Fatal(err)
	}
	var open string
	for _, n := range list.Nodes {
		for _, p := range n.Ports {
			if n.Name == "node2" && p.Port == 9000 {
				open = p.URL
			}
		}
	}
	if open == "" {
		t.Fatalf("node2's port 9000 is not listed: %+v", list)
	}
	status, body, h := get(t, owner.HTTP, e.ts.URL+open+"?path=/hello", "")
	if status != 200 || !strings.Contains(body, "pgecho path=/hello") || !strings.Contains(body, "prefix=/ports/"+s.ID+"/node2/9000") {
		t.Fatalf("open the port: %d %q", status, body)
	}
	if strings.Contains(body, "playground_learner") {
		t.Errorf("the learner's cookie reached the app: %s", body)
	}
	if !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("a page on the main origin is not sandboxed: %q", h.Get("Content-Security-Policy"))
	}
	if h.Get("Cache-Control") != "no-cache" {
		t.Errorf("an app that says nothing of caching is served with Cache-Control %q, want no-cache", h.Get("Cache-Control"))
	}
	// A large download streams whole.
	status, body, _ = get(t, owner.HTTP, e.ts.URL+"/ports/"+s.ID+"/node2/9000/big?mib=64", "")
	if status != 200 || len(body) != 64<<20 {
		t.Errorf("64 MiB through the port: %d, %d bytes", status, len(body))
	}
	// A websocket echoes through it.
	u, _ := url.Parse(e.ts.URL)
	d := websocket.Dialer{Jar: owner.HTTP.Jar}
	ws, _, err := d.Dial("ws://"+u.Host+"/ports/"+s.ID+"/node2/9000/ws", nil)
	if err != nil {
		t.Fatalf("websocket through the port: %v", err)
	}
	ws.WriteMessage(websocket.TextMessage, []byte("hi"))
	if _, msg, err := ws.ReadMessage(); err != nil || string(msg) != "echo:hi" {
		t.Errorf("websocket echo: %q, %v", msg, err)
	}
	ws.Close()
	// A port where nothing listens says so.
	if status, body, _ := get(t, owner.HTTP, e.ts.URL+"/ports/"+s.ID+"/node2/9001/", ""); status != http.StatusBadGateway || !strings.Contains(body, "Nothing answers on port 9001") {
		t.Errorf("a closed port: %d %q", status, body)
	}
	// Strangers get 404 everywhere.
	stranger := client.New(e.ts.URL)
	for _, path := range []string{"/ports/" + s.ID + "/node2/9000/", open, "/api/sessions/" + s.ID + "/ports"} {
		if status, _, _ := get(t, stranger.HTTP, e.ts.URL+path, ""); status != http.StatusNotFound {
			t.Errorf("stranger GET %s: %d, want 404", path, status)
		}
	}
	// A shared link opens the port to anyone until it is taken back.
	sharePath := "/api/sessions/" + s.ID + "/nodes/node2/ports/9000/share"
	if _, err := stranger.Do(ctx, "POST", sharePath, nil, nil); err == nil {
		t.Error("a stranger shared another learner's port")
	}
	var share struct{ URL string }
	if _, err := owner.Do(ctx, "POST", sharePath, nil, &share); err != nil || !strings.Contains(share.URL, "/shared/") {
		t.Fatalf("share: %+v, %v", share, err)
	}
	if status, body, _ := get(t, stranger.HTTP, share.URL+"shown", ""); status != 200 || !strings.Contains(body, "pgecho path=/shown") || strings.Contains(body, "playground_") {
		t.Errorf("a classmate opens the shared link: %d %q", status, body)
	}
	if _, err := owner.Do(ctx, "GET", "/api/sessions/"+s.ID+"/ports", nil, &list); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.Do(ctx, "DELETE", sharePath, nil, nil); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := get(t, stranger.HTTP, share.URL, ""); status != http.StatusNotFound {
		t.Errorf("the shared link after it was taken back: %d, want 404", status)
	}
	for _, bad := range []string{"/ports/" + s.ID + "/node2/0/", "/ports/" + s.ID + "/node2/70000/", "/ports/" + s.ID + "/node9/9000/"} {
		if status, _, _ := get(t, owner.HTTP, e.ts.URL+bad, ""); status != http.StatusBadRequest && status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 400 or 404", bad, status)
		}
	}
}

// With a ports domain, each port has a host of its own: the page's link
// hands that host a token, the host trades it for its own cookie, and
// without that cookie (a stranger, another port's cookie) it answers 404.
func TestPortsHostForm(t *testing.T) {
	e := newEnv(t, envConfig{Docker: true, Server: Config{PortsDomain: "localhost"}})
	ctx := context.Background()
	owner := client.New(e.ts.URL)
	s, err := owner.CreateSession(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	startApp(t, e, containerOf(t, e, s.ID, "node1"))
	noRedirect := *owner.HTTP
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := noRedirect.Get(e.ts.URL + "/api/sessions/" + s.ID + "/nodes/node1/ports/9000/open")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusFound || err != nil || !strings.HasSuffix(loc.Hostname(), ".localhost") || !strings.HasPrefix(loc.Hostname(), "node1-9000-") {
		t.Fatalf("open: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	host := loc.Host
	base := e.ts.URL // the same listener; the Host header picks the port's site
	// A browser on the port's host: the token, then its cookie.
	b := &http.Client{Jar: newJar(t)}
	status, body, _ := get(t, b, base+"/", host)
	if status != http.StatusNotFound {
		t.Errorf("the port's host without its cookie: %d %q, want 404", status, body)
	}
	tokenURL := base + loc.RequestURI()
	req, _ := http.NewRequest("GET", tokenURL, nil)
	req.Host = host
	b.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err = b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "playground_port" {
			cookie = c
		}
	}
	if res.StatusCode != http.StatusFound || cookie == nil {
		t.Fatalf("the token hand-over: %d, cookies %v", res.StatusCode, res.Cookies())
	}
	withCookie := func(h string) (int, string) {
		req, _ := http.NewRequest("GET", base+"/deep/path", nil)
		req.Host = h
		req.AddCookie(cookie)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if status, body := withCookie(host); status != 200 || !strings.Contains(body, "pgecho path=/deep/path host="+host) || strings.Contains(body, "playground_") {
		t.Errorf("the port's host with its cookie: %d %q", status, body)
	}
	// The cookie opens only its own host.
	other := strings.Replace(host, "node1-9000-", "node1-9001-", 1)
	if status, _ := withCookie(other); status != http.StatusNotFound {
		t.Errorf("another port's host with this cookie: %d, want 404", status)
	}
	// A shared link has a host of its own, open without a cookie.
	var share struct{ URL string }
	if _, err := owner.Do(ctx, "POST", "/api/sessions/"+s.ID+"/nodes/node1/ports/9000/share", nil, &share); err != nil {
		t.Fatal(err)
	}
	su, _ := url.Parse(share.URL)
	if status, body, _ := get(t, http.DefaultClient, base+"/via-share", su.Host); status != 200 || !strings.Contains(body, "pgecho path=/via-share") {
		t.Errorf("the shared host: %d %q (%s)", status, body, share.URL)
	}
	// A token is for one host only, and only briefly; a forged one fails.
	req, _ = http.NewRequest("GET", base+loc.RequestURI(), nil)
	req.Host = other
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("this host's token on another host: %v %v", res, err)
	}
}

// newJar returns an empty cookie jar.
func newJar(t *testing.T) http.CookieJar {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return jar
}

// docker compose runs in a node (Compose v2, the CLI plugin), and the port
// its service publishes opens through the playground.
func TestComposePortOpens(t *testing.T) {
	e := newEnv(t, envConfig{Docker: true})
	ctx := context.Background()
	c := client.New(e.ts.URL)
	s, err := c.CreateSession(ctx, "docker-orchestration", "en")
	if err != nil {
		t.Fatal(err)
	}
	// A Run click waits for the lab's images, the compose file's among them.
	if _, err := c.Do(ctx, "POST", "/api/sessions/"+s.ID+"/blocks/orchestration-1/resolve", nil, nil); err != nil {
		t.Fatal(err)
	}
	node := containerOf(t, e, s.ID, "node1")
	script := `mkdir -p /root/app && cd /root/app && cat > compose.yaml <<'YAML'
services:
  web:
    image: mtbsoft/myipaddress:latest
    ports: ["8081:80"]
YAML
docker compose up -d 2>&1 && for i in $(seq 50); do playground node ports | grep -qx 8081 && exit 0; sleep 0.2; done; exit 1`
	if out, code, err := e.engine.Exec(ctx, node, script, 2*time.Minute); err != nil || code != 0 {
		t.Fatalf("docker compose up: %v %d\n%s", err, code, out)
	}
	status, body, _ := get(t, c.HTTP, e.ts.URL+"/ports/"+s.ID+"/node1/8081/", "")
	if status != 200 || !strings.HasPrefix(strings.TrimSpace(body), "172.") {
		t.Errorf("the compose service's port: %d %q", status, body)
	}
}
