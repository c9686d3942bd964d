package e2e

// The harness of the session, terminal and lab tests: the real binary
// (PLAYGROUND_BIN) served as a subprocess on a fixed loopback port and a
// fresh database, so that a test can kill it and start it again where the
// browser and the clients expect it. Every session it leaves behind is
// looked for on the engine by the harness's own instance label.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"github.com/jackc/pgx/v5"

	"github.com/labplay/playground/sessions/engine"
	"github.com/labplay/playground/sessions/store/storetest"
)

// harnessSubnetPool keeps these tests' session networks apart from other
// test packages and from a playground running on the same engine.
const harnessSubnetPool = "100.64.160.0/20"

// harness is one playground server process (restartable) on a database of
// its own, with an instance label of its own.
type harness struct {
	t        *testing.T
	bin      string
	dbURL    string
	instance string
	addr     string // host:port, the same across restarts
	base     string // http://addr
	docker   client.APIClient
	logs     lockedBuffer // what every run of the server logged, in order
	starts   int
	env      []string // more environment for the server, set before a restart

	mu     sync.Mutex
	server *serverProcess // the running process, or nil
}

// serverProcess is one run of the binary.
type serverProcess struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has been waited for
	err    error         // its exit, set before exited is closed
}

// lockedBuffer collects the server's log from the exec package's copier.
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
// missing), creates the database and starts the server. When the test
// ends, the server is stopped and the engine must hold nothing of the
// harness's instance: leftovers are removed and, on a test that otherwise
// passed, reported as a failure.
func newHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessOn(t, "")
}

// newHarnessWith is newHarness with more environment for the server.
func newHarnessWith(t *testing.T, env ...string) *harness {
	t.Helper()
	return newHarnessEnv(t, "", env)
}

// newHarnessOn is newHarness on a given database (empty: a fresh one of
// the test cluster).
func newHarnessOn(t *testing.T, dbURL string) *harness {
	t.Helper()
	return newHarnessEnv(t, dbURL, nil)
}

// newHarnessEnv is newHarnessOn with more environment for the server.
func newHarnessEnv(t *testing.T, dbURL string, env []string) *harness {
	t.Helper()
	bin := os.Getenv("PLAYGROUND_BIN")
	if bin == "" {
		t.Skip("PLAYGROUND_BIN is not set: these tests drive the real binary (make test sets it to bin/playground)")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("PLAYGROUND_BIN=%s is missing (run make build): %v", bin, err)
	}
	if os.Getenv("DATABASE_URL") == "" && dbURL == "" {
		t.Skip("DATABASE_URL is not set: these tests need Postgres (make test sets it up)")
	}
	if dbURL == "" {
		dbURL = storetest.URL(t)
	}
	docker := crNeedDocker(t)
	var b [4]byte
	rand.Read(b[:])
	h := &harness{
		t:        t,
		bin:      bin,
		dbURL:    dbURL,
		instance: "e2e-" + hex.EncodeToString(b[:]),
		docker:   docker,
		env:      env,
	}
	h.addr = freeAddr(t)
	h.base = "http://" + h.addr
	t.Cleanup(h.checkLeftovers)
	t.Cleanup(func() {
		h.stop()
		if t.Failed() {
			h.dumpLog()
		}
	})
	h.start()
	return h
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs the server and waits until it answers /healthz.
func (h *harness) start() {
	t := h.t
	t.Helper()
	h.starts++
	fmt.Fprintf(&h.logs, "--- start %d of %s serve -addr %s\n", h.starts, h.bin, h.addr)
	p := &serverProcess{exited: make(chan struct{})}
	p.cmd = exec.Command(h.bin, "serve", "-addr", h.addr)
	p.cmd.Env = append(os.Environ(),
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
	p.cmd.Env = append(p.cmd.Env, h.env...)
	p.cmd.Stdout = &h.logs
	p.cmd.Stderr = &h.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", h.bin, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	h.mu.Lock()
	h.server = p
	h.mu.Unlock()

	deadline := time.Now().Add(time.Minute)
	for {
		select {
		case <-p.exited:
			t.Fatalf("the server exited before answering: %v\n%s", p.err, h.logs.String())
		default:
		}
		resp, err := http.Get(h.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not answer /healthz on %s: %v\n%s", h.addr, err, h.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill sends sig to the server and waits for it to exit, returning how it
// exited. A server still running after a minute is killed and the test
// fails.
func (h *harness) kill(sig syscall.Signal) error {
	h.t.Helper()
	h.mu.Lock()
	p := h.server
	h.server = nil
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

// stop ends the server, if one runs: SIGTERM, then SIGKILL after 30 s.
func (h *harness) stop() {
	h.mu.Lock()
	p := h.server
	h.server = nil
	h.mu.Unlock()
	if p == nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		h.t.Errorf("the server did not stop within 30 s of SIGTERM")
		p.cmd.Process.Kill()
		<-p.exited
	}
}

// dumpLog writes the end of the server's log to the test log.
func (h *harness) dumpLog() {
	s := h.logs.String()
	if len(s) > 20000 {
		s = "..." + s[len(s)-20000:]
	}
	h.t.Logf("server log:\n%s", s)
}

// checkLeftovers fails the test when containers or networks of the
// harness's instance are still on the engine, and removes them.
func (h *harness) checkLeftovers() {
	t := h.t
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	f := filters.NewArgs(filters.Arg("label", engine.LabelInstance+"="+h.instance))
	cs, err := h.docker.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		t.Errorf("list containers: %v", err)
		return
	}
	ns, err := h.docker.NetworkList(ctx, network.ListOptions{Filters: f})
	if err != nil {
		t.Errorf("list networks: %v", err)
		return
	}
	if len(cs) == 0 && len(ns) == 0 {
		h.removeEgress(ctx)
		return
	}
	var names []string
	for _, c := range cs {
		names = append(names, strings.Join(c.Names, ",")+" ("+c.State+")")
	}
	for _, n := range ns {
		names = append(names, "network "+n.Name)
	}
	report := t.Errorf
	if t.Failed() {
		report = t.Logf // the failure that left them is already reported
	}
	report("left on the engine by instance %s: %s", h.instance, strings.Join(names, "; "))
	eng := engine.New(h.docker, engine.Config{Instance: h.instance}, nil)
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
	h.removeEgress(ctx)
	if err := eng.Close(ctx); err != nil {
		t.Logf("remove the helper container: %v", err)
	}
}

// removeEgress removes the egress rules of the harness's instance, which a
// server that was killed leaves on the host, and the helper it used.
func (h *harness) removeEgress(ctx context.Context) {
	eng := engine.New(h.docker, engine.Config{Instance: h.instance}, nil)
	if err := eng.RemoveEgress(ctx, netip.MustParsePrefix(harnessSubnetPool)); err != nil {
		h.t.Logf("remove the egress rules: %v", err)
	}
	if err := eng.Close(ctx); err != nil {
		h.t.Logf("remove the helper container: %v", err)
	}
}

// leftovers names the containers (but the helper, which lives as long as
// the server) and networks of the harness's instance still on the engine;
// empty when there are none.
func (h *harness) leftovers() string {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	f := filters.NewArgs(filters.Arg("label", engine.LabelInstance+"="+h.instance))
	cs, err := h.docker.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return "list containers: " + err.Error()
	}
	ns, err := h.docker.NetworkList(ctx, network.ListOptions{Filters: f})
	if err != nil {
		return "list networks: " + err.Error()
	}
	var names []string
	for _, c := range cs {
		if c.Labels[engine.LabelHelper] == "" {
			names = append(names, strings.Join(c.Names, ","))
		}
	}
	for _, n := range ns {
		names = append(names, "network "+n.Name)
	}
	return strings.Join(names, "; ")
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
