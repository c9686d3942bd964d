package e2e

// The harness of every test here: the real binary served as one or more
// processes that share a fresh database and an instance label of their own,
// as a deployment behind a load balancer would. A process starts on port 0
// and the harness reads its address from the log; a test may kill the first
// one and start it again on that same address, where the browser and the
// clients expect it. Whatever the processes leave on the engine is looked for
// by the instance label when the test ends.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/client"
	"github.com/jackc/pgx/v5"

	"github.com/labplay/playground/internal/waitfor"
	"github.com/labplay/playground/sessions/store/storetest"
)

// harnessSubnetPool keeps these tests' session networks apart from other
// test packages and from a playground running on the same engine.
const harnessSubnetPool = "100.64.160.0/20"

// firstServer names the process newHarness starts: the one kill and restart
// act on, served at base.
const firstServer = "A"

// harness is a deployment of the playground for one test: server processes
// (restartable) on a database of their own, with an instance label of their
// own.
type harness struct {
	t        testing.TB
	bin      string
	dbURL    string
	instance string
	docker   client.APIClient
	env      []string     // more environment for the servers, set before a start
	logs     lockedBuffer // what every run of every server logged, in order
	starts   int

	addr string // the first server's host:port, the same across its restarts
	base string // http://addr

	mu      sync.Mutex
	addrs   map[string]string         // each server's address, once it listened
	running map[string]*serverProcess // the processes running, by server name
}

// serverProcess is one run of the binary.
type serverProcess struct {
	cmd       *exec.Cmd
	listening chan string   // the address it logged it listens on
	exited    chan struct{} // closed when the process has been waited for
	err       error         // its exit, set before exited is closed
}

// lockedBuffer collects the servers' logs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newHarness checks the environment (skipping the test, saying what is
// missing), creates a database, and starts the first server with env added
// to its environment. When the test ends, the servers are stopped and the
// engine must hold nothing of the harness's instance: leftovers are removed
// and, on a test that otherwise passed, reported as a failure.
func newHarness(t testing.TB, env ...string) *harness {
	t.Helper()
	return newHarnessOn(t, "", env...)
}

// newHarnessOn is newHarness on a given database (empty: a fresh one of the
// test cluster).
func newHarnessOn(t testing.TB, dbURL string, env ...string) *harness {
	t.Helper()
	if os.Getenv("DATABASE_URL") == "" && dbURL == "" {
		t.Skip("DATABASE_URL is not set: these tests need Postgres (make test sets it up)")
	}
	docker := needDocker(t)
	bin := playgroundBinary(t)
	if dbURL == "" {
		dbURL = storetest.URL(t)
	}
	var b [4]byte
	rand.Read(b[:])
	h := &harness{
		t:        t,
		bin:      bin,
		dbURL:    dbURL,
		instance: "e2e-" + hex.EncodeToString(b[:]),
		docker:   docker,
		env:      env,
		addrs:    map[string]string{},
		running:  map[string]*serverProcess{},
	}
	t.Cleanup(h.checkLeftovers)
	t.Cleanup(func() {
		h.stopAll()
		if t.Failed() {
			h.dumpLog()
		}
	})
	h.base = h.startServer(firstServer)
	h.addr = strings.TrimPrefix(h.base, "http://")
	return h
}

// environ is the environment of a server process.
func (h *harness) environ() []string {
	env := append(os.Environ(),
		"DATABASE_URL="+h.dbURL,
		"PLAYGROUND_INSTANCE="+h.instance, "PLAYGROUND_METRICS_ADDR=127.0.0.1:0",
		"PLAYGROUND_SUBNET_POOL="+harnessSubnetPool,
		"PLAYGROUND_MAX_SESSIONS=10",
		// Node disks of 2 GiB keep make test's disk fill short; make soak
		// fills the default 10 GiB.
		"PLAYGROUND_NODE_DISK="+map[bool]string{true: "10240", false: "2048"}[os.Getenv("PLAYGROUND_SOAK") != ""],
		"PLAYGROUND_PUBLIC_URL=",
		"PLAYGROUND_LOG_FORMAT=text",
		"PLAYGROUND_LOG_LEVEL=info",
		// The host's run-time labs folder is not the tests' business.
		"PLAYGROUND_LABS_DIR=off",
		// No warm pool unless a test asks: its sessions would be
		// leftovers, and its filling would load the other tests.
		"PLAYGROUND_POOL_SIZE=0",
		// Nor a registry of its own: it outlives the server by design (the
		// engine package's tests cover it).
		"PLAYGROUND_REGISTRY_IMAGE=off",
	)
	return append(env, h.env...)
}

// listeningRE matches the line a server logs once it listens.
var listeningRE = regexp.MustCompile(`msg=listening addr=(\S+)`)

// addServer starts one more server process of the deployment, named name in
// the log, and returns its base URL.
func (h *harness) addServer(name string) string {
	h.t.Helper()
	return h.startServer(name)
}

// restart starts the first server again, after kill, on the address it had.
func (h *harness) restart() {
	h.t.Helper()
	h.startServer(firstServer)
}

// startServer runs server name, on the address it had if it ran before and
// on port 0 else, reads its address from its log, waits until it answers
// /healthz, and returns its base URL.
func (h *harness) startServer(name string) string {
	t := h.t
	t.Helper()
	h.mu.Lock()
	addr, again := h.addrs[name]
	h.mu.Unlock()
	if !again {
		addr = "127.0.0.1:0"
	}
	h.starts++
	fmt.Fprintf(&h.logs, "--- start %d, server %s: %s serve -addr %s\n", h.starts, name, h.bin, addr)
	p := &serverProcess{listening: make(chan string, 1), exited: make(chan struct{})}
	p.cmd = exec.Command(h.bin, "serve", "-addr", addr)
	p.cmd.Env = h.environ()
	// One pipe for both streams, read line by line: each line goes to the
	// log with the server's name, and the first "listening" gives the
	// address.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stdout, p.cmd.Stderr = w, w
	err = p.cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		t.Fatalf("start %s: %v", h.bin, err)
	}
	read := make(chan struct{})
	go func() {
		defer close(read)
		defer r.Close()
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintf(&h.logs, "[%s] %s\n", name, line)
			if m := listeningRE.FindStringSubmatch(line); m != nil {
				select {
				case p.listening <- m[1]:
				default:
				}
			}
		}
	}()
	go func() {
		p.err = p.cmd.Wait()
		select { // the rest of its log, unless a child holds the pipe
		case <-read:
		case <-time.After(5 * time.Second):
		}
		close(p.exited)
	}()
	h.mu.Lock()
	h.running[name] = p
	h.mu.Unlock()

	select {
	case got := <-p.listening:
		if again && got != addr {
			t.Fatalf("server %s listens on %s, not on %s where it ran before", name, got, addr)
		}
		addr = got
	case <-p.exited:
		t.Fatalf("server %s exited before listening: %s\n%s", name, describeExit(p.err), h.logs.String())
	case <-time.After(2 * time.Minute):
		t.Fatalf("server %s did not log that it listens within 2 minutes\n%s", name, h.logs.String())
	}
	h.mu.Lock()
	h.addrs[name] = addr
	h.mu.Unlock()

	base := "http://" + addr
	waitfor.Until(t, "server "+name+" to answer /healthz on "+addr, time.Minute, func() error {
		select {
		case <-p.exited:
			t.Fatalf("server %s exited before answering: %s\n%s", name, describeExit(p.err), h.logs.String())
		default:
		}
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	})
	return base
}

// kill sends sig to the first server and waits for it to exit, returning
// how it exited. A server still running after a minute is killed and the
// test fails.
func (h *harness) kill(sig syscall.Signal) error {
	h.t.Helper()
	h.mu.Lock()
	p := h.running[firstServer]
	delete(h.running, firstServer)
	h.mu.Unlock()
	if p == nil {
		h.t.Fatal("no server is running")
	}
	p.cmd.Process.Signal(sig)
	select {
	case <-p.exited:
	case <-time.After(time.Minute):
		p.cmd.Process.Kill()
		<-p.exited
		h.t.Fatalf("the server did not exit within a minute of %v\n%s", sig, h.logs.String())
	}
	return p.err
}

// stopAll ends the servers that run: SIGTERM, then SIGKILL after 30 s.
func (h *harness) stopAll() {
	h.mu.Lock()
	running := h.running
	h.running = map[string]*serverProcess{}
	h.mu.Unlock()
	for _, p := range running {
		p.cmd.Process.Signal(syscall.SIGTERM)
	}
	for name, p := range running {
		select {
		case <-p.exited:
		case <-time.After(30 * time.Second):
			h.t.Errorf("server %s did not stop within 30 s of SIGTERM", name)
			p.cmd.Process.Kill()
			<-p.exited
		}
	}
}

// dumpLog writes the end of the servers' log to the test log.
func (h *harness) dumpLog() {
	s := h.logs.String()
	if len(s) > 20000 {
		s = "..." + s[len(s)-20000:]
	}
	h.t.Logf("server log:\n%s", s)
}

// addInstructor creates an instructor account with the binary's own
// command, the password on standard input.
func (h *harness) addInstructor(email, password string) {
	h.t.Helper()
	cmd := exec.Command(h.bin, "instructor", "add", "--email", email)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+h.dbURL)
	cmd.Stdin = strings.NewReader(password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		h.t.Fatalf("playground instructor add: %v\n%s", err, out)
	}
}

// db opens a connection to the harness's database, closed when the test
// ends.
func (h *harness) db() *pgx.Conn {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, h.dbURL)
	if err != nil {
		h.t.Fatalf("connect to the test database: %v", err)
	}
	h.t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// exitSignal returns the signal that ended a process, if one did.
func exitSignal(err error) (syscall.Signal, bool) {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return 0, false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return 0, false
	}
	return ws.Signal(), true
}

// describeExit says how a process ended, for failure messages.
func describeExit(err error) string {
	if err == nil {
		return "exit status 0"
	}
	if sig, ok := exitSignal(err); ok {
		return fmt.Sprintf("killed by %v", sig)
	}
	return err.Error()
}
