package e2e

// Helpers of the classroom end-to-end tests and bench: the real binary
// started as one or more server processes on one fresh database, headless
// Chromium with a browser context per person (classroom_stream_test.go
// reads the dashboard's event stream). Names start with "cr" to keep clear of other
// helpers in this package.

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/docker/docker/client"

	pgclient "github.com/labplay/playground/client"
	"github.com/labplay/playground/sessions/engine"
	"github.com/labplay/playground/sessions/engine/enginetest"
)

// crPassword is the password of the instructors the tests create.
const crPassword = "correct horse battery staple"

// crSubnetPool keeps the sessions of these tests apart from any other
// playground or test on the same engine.
const crSubnetPool = "100.64.236.0/24"

var (
	crBuildOnce sync.Once
	crBuilt     string
	crBuildErr  error
)

// crBinary returns the playground binary: PLAYGROUND_BIN when it names one,
// else one built from this checkout (with the web bundle in web/dist).
func crBinary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("PLAYGROUND_BIN"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	crBuildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "playground-e2e-")
		if err != nil {
			crBuildErr = err
			return
		}
		crBuilt = filepath.Join(dir, "playground")
		cmd := exec.Command("go", "build", "-o", crBuilt, "./cmd/playground")
		cmd.Dir = ".."
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			crBuildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if crBuildErr != nil {
		t.Fatalf("no playground binary (set PLAYGROUND_BIN or fix the build): %v", crBuildErr)
	}
	return crBuilt
}

// crNeedDocker skips the test unless a Docker engine with the node image
// answers, and returns a client of it.
func crNeedDocker(t testing.TB) client.APIClient {
	t.Helper()
	cli := enginetest.Client(t)
	enginetest.NodeImage(t, cli)
	return cli
}

// crDeployment is a set of server processes sharing one database and one
// instance label, as a real deployment behind a load balancer would.
type crDeployment struct {
	t        testing.TB
	bin      string
	dbURL    string
	instance string
}

// crDeploy prepares a deployment on a fresh database. When the test ends,
// whatever sessions its processes left on the engine are removed.
func crDeploy(t testing.TB, docker client.APIClient, dbURL string) *crDeployment {
	t.Helper()
	var b [4]byte
	rand.Read(b[:])
	d := &crDeployment{t: t, bin: crBinary(t), dbURL: dbURL, instance: "e2e-class-" + hex.EncodeToString(b[:])}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		eng := engine.New(docker, engine.Config{Instance: d.instance}, nil)
		left, err := eng.List(ctx)
		if err != nil {
			t.Logf("list leftovers: %v", err)
			return
		}
		for id := range left {
			if err := eng.RemoveSession(ctx, id); err != nil {
				t.Logf("remove leftover session %s: %v", id, err)
			}
		}
		if err := eng.Close(ctx); err != nil {
			t.Logf("remove the helper container: %v", err)
		}
	})
	return d
}

var crListening = regexp.MustCompile(`msg=listening addr=(\S+)`)

// start runs one more server process of the deployment and returns its
// base URL. It is stopped (SIGTERM, then kill) when the test ends; its log
// goes to the test log.
func (d *crDeployment) start(name string) string {
	t := d.t
	t.Helper()
	cmd := exec.Command(d.bin, "serve", "-addr", "127.0.0.1:0", "-log-level", "info")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+d.dbURL, "PLAYGROUND_INSTANCE="+d.instance, "PLAYGROUND_METRICS_ADDR=127.0.0.1:0",
		"PLAYGROUND_SUBNET_POOL="+crSubnetPool, "PLAYGROUND_LABS_DIR=off", "PLAYGROUND_MAX_SESSIONS=8", "PLAYGROUND_LOG_FORMAT=text",
		// No warm pool and no registry of its own, as in harness_test.go.
		"PLAYGROUND_POOL_SIZE=0", "PLAYGROUND_REGISTRY_IMAGE=off")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", d.bin, err)
	}
	addr := make(chan string, 1)
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if m := crListening.FindStringSubmatch(line); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
			if strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR") || strings.Contains(line, "msg=listening") {
				t.Logf("[%s] %s", name, line)
			}
		}
	}()
	exited := make(chan error, 1)
	go func() {
		<-logged
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	select {
	case a := <-addr:
		return "http://" + a
	case err := <-exited:
		t.Fatalf("server %s exited before listening: %v", name, err)
	case <-time.After(2 * time.Minute):
		t.Fatalf("server %s did not start listening", name)
	}
	return ""
}

// addInstructor creates an instructor account with the binary's own
// command, the password on standard input.
func (d *crDeployment) addInstructor(email string) {
	d.t.Helper()
	cmd := exec.Command(d.bin, "instructor", "add", "--email", email)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+d.dbURL)
	cmd.Stdin = strings.NewReader(crPassword + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		d.t.Fatalf("playground instructor add: %v\n%s", err, out)
	}
}

// crBrowser starts headless Chromium for the test and returns a context
// that owns it; crPerson opens a separate person in it.
func crBrowser(t testing.TB) context.Context {
	t.Helper()
	path := os.Getenv("PLAYGROUND_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no Chromium at %s (set PLAYGROUND_CHROMIUM; make test installs it)", path)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1500, 1000),
		chromedp.Flag("disable-dev-shm-usage", true))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return browser
}

// crPerson opens a tab in a browser context of its own: its own cookies,
// like a different person's browser.
func crPerson(t testing.TB, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// crDo runs browser actions under a generous deadline.
func crDo(t testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	if err := chromedp.Do(c, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// crWait waits until a JavaScript expression is true in the page. A page
// that navigates meanwhile (a form that leads to the next page) is waited
// on again once it has loaded.
func crWait(t testing.TB, ctx context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(150 * time.Second)
	for {
		c, cancel := context.WithDeadline(ctx, deadline)
		_, err := chromedp.Run(c, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(time.Until(deadline)),
			chromedp.WithPollingInterval(100*time.Millisecond)))
		cancel()
		if err == nil {
			return
		}
		if time.Now().Before(deadline) && (strings.Contains(err.Error(), "navigated") ||
			strings.Contains(err.Error(), "context was destroyed") || strings.Contains(err.Error(), "Cannot find context")) {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		t.Fatalf("waiting for %s: %v\n%s", what, err, crPageState(ctx))
	}
}

// crPageState describes the page, for failure messages.
func crPageState(ctx context.Context) string {
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(c, chromedp.Evaluate[string](`location.href + '\n' + document.body.innerText.slice(0, 3000)`))
	if err != nil {
		return "(page state unknown: " + err.Error() + ")"
	}
	return "page " + s
}

// crEval evaluates an expression in the page, awaiting a promise.
func crEval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// crLogin logs a client in as an instructor.
func crLogin(t testing.TB, c *pgclient.Client, email string) {
	t.Helper()
	if _, err := c.Do(context.Background(), http.MethodPost, "/api/instructors/login",
		map[string]string{"email": email, "password": crPassword}, nil); err != nil {
		t.Fatalf("login: %v", err)
	}
}

// crShot saves a screenshot of the page as NAME.png in the folder named by
// PLAYGROUND_E2E_SHOTS, when it is set: a way to look at what a test saw.
func crShot(t testing.TB, ctx context.Context, name string) {
	dir := os.Getenv("PLAYGROUND_E2E_SHOTS")
	if dir == "" {
		return
	}
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	b, err := chromedp.Run(c, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644)
	}
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}
