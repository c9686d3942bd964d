package labs_test

// The single-node labs against a real node: each lab runs in a node of its
// own, its commands in the shell a learner types into (the agent's, through
// engine.Attach) and its files written as the page writes them, and every
// check of every section must fail, with a one-line hint, before the
// section's blocks run, and pass after them.
// The test needs the Docker engine, the node image and the labs' images
// (make images builds them all), and skips, saying which is missing,
// without them.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"

	"github.com/labplay/playground/internal/waitfor"
	"github.com/labplay/playground/labs"
	"github.com/labplay/playground/sessions/agent"
	"github.com/labplay/playground/sessions/engine"
	"github.com/labplay/playground/sessions/engine/enginetest"
)

// nodeLabs are the labs this test runs, each on the /28 of its index in
// nodeLabsPool (a range no other test package uses).
var nodeLabs = []string{"docker-basics", "docker-compose", "docker-volumes", "swarm-secrets"}

var nodeLabsPool = netip.MustParsePrefix("100.64.234.0/24")

// failingBlocks are the run blocks that fail on purpose, to show the
// learner an error, with a piece of what they print.
var failingBlocks = map[string]string{
	"docker-volumes/inspect-4":  "volume is in use",
	"docker-volumes/readonly-2": "Read-only file system",
	"swarm-secrets/rotate-2":    "is in use",
}

func TestLabsOnANode(t *testing.T) {
	cli := enginetest.Client(t)
	image := enginetest.NodeImage(t, cli)
	for i, slug := range nodeLabs {
		t.Run(slug, func(t *testing.T) {
			lab, err := labs.Builtin().Get(slug)
			if err != nil {
				t.Fatal(err)
			}
			for _, img := range lab.Images {
				if _, err := cli.ImageInspect(context.Background(), img); cerrdefs.IsNotFound(err) {
					t.Skipf("the lab's image %s is not on the engine (run make images)", img)
				} else if err != nil {
					t.Fatal(err)
				}
			}
			n := startLabNode(t, engine.Config{NodeImage: image, Disk: 2 << 30}, i, lab)
			for _, s := range lab.Sections() {
				checks := lab.Checks(s.ID)
				if len(checks) == 0 {
					t.Fatalf("section %s has no check", s.ID)
				}
				for _, c := range checks {
					out, code := n.exec(c.Script, c.Timeout)
					hint := strings.TrimSpace(out)
					switch {
					case code == 0:
						t.Errorf("check %s passes before the section's commands ran", s.ID)
					case hint == "" || strings.Contains(hint, "\n"):
						t.Errorf("check %s fails (exit %d) with %q, want a one-line hint", s.ID, code, hint)
					default:
						t.Logf("check %s before: %s", s.ID, hint)
					}
				}
				for _, b := range s.Blocks {
					if b.Path != "" {
						n.writeFile(b.Path, b.Command)
						continue
					}
					if len(lab.Placeholders(b.Command)) > 0 {
						t.Fatalf("block %s uses values, which this test does not resolve", b.ID)
					}
					out, rc := n.shell.run(b.Command)
					want, fails := failingBlocks[slug+"/"+b.ID]
					switch {
					case fails && (rc == 0 || !strings.Contains(out, want)):
						t.Errorf("block %s: exit %d, want a failure saying %q; it printed:\n%s", b.ID, rc, want, out)
					case !fails && rc != 0:
						t.Errorf("block %s (%s) exited %d:\n%s", b.ID, firstLine(b.Command), rc, out)
					}
				}
				for _, c := range checks {
					n.waitPass(s.ID, c)
				}
			}
		})
	}
}

// labNode is one node of a session made for a lab, with a shell attached.
type labNode struct {
	t     *testing.T
	eng   *engine.Engine
	id    string // the node's container
	shell *nodeShell
}

// startLabNode makes a one-node session for lab on the i-th /28 of
// nodeLabsPool, loads the lab's images into it and attaches a shell. All
// of it is removed when the test ends.
func startLabNode(t *testing.T, cfg engine.Config, i int, lab *labs.Lab) *labNode {
	t.Helper()
	if len(lab.Nodes) != 1 {
		t.Fatalf("lab %s has nodes %v; this test runs one-node labs", lab.Slug, lab.Nodes)
	}
	cfg.Instance = "labstest-" + randomHex(t, 4)
	eng := engine.New(enginetest.Client(t), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(func() {
		if err := eng.Close(context.Background()); err != nil {
			t.Errorf("close the engine: %v", err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	session := "l" + randomHex(t, 8)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := eng.RemoveSession(ctx, session); err != nil {
			t.Errorf("remove the session: %v", err)
		}
	})
	base := nodeLabsPool.Addr().As4()
	base[3] = byte(16 * i)
	nodes, err := eng.CreateSession(ctx, session, netip.PrefixFrom(netip.AddrFrom4(base), 28), lab.Nodes)
	if err != nil {
		t.Fatalf("create the session: %v", err)
	}
	id := nodes[0].ContainerID
	if err := eng.WaitReady(ctx, id); err != nil {
		t.Fatalf("wait for the node: %v", err)
	}
	for _, img := range lab.Images {
		if err := eng.LoadImage(ctx, []string{id}, img); err != nil {
			t.Fatalf("load %s: %v", img, err)
		}
	}
	return &labNode{t: t, eng: eng, id: id, shell: attachShell(t, eng, id)}
}

// exec runs a check's script on the node as the server does, and returns
// its output and exit status.
func (n *labNode) exec(script string, timeout time.Duration) (string, int) {
	n.t.Helper()
	out, code, err := n.eng.Exec(context.Background(), n.id, script, timeout)
	if err != nil {
		n.t.Fatalf("exec: %v", err)
	}
	return out, code
}

// writeFile writes a file block's content on the node, as its Write file
// button does: a relative path is taken from /root.
func (n *labNode) writeFile(path, content string) {
	n.t.Helper()
	if !strings.HasPrefix(path, "/") {
		path = "/root/" + path
	}
	if _, err := n.eng.WriteFile(context.Background(), n.id, path, int64(len(content)), strings.NewReader(content)); err != nil {
		n.t.Fatalf("write %s: %v", path, err)
	}
}

// waitPass runs check c until it passes, for state that settles a moment
// after a command returns (a server starting to listen), and fails the
// test with its last hint after 30 s.
func (n *labNode) waitPass(section string, c labs.Check) {
	n.t.Helper()
	err := waitfor.Poll(30*time.Second, func() error {
		out, code := n.exec(c.Script, c.Timeout)
		if code != 0 {
			return fmt.Errorf("exit %d: %s", code, out)
		}
		if out != "" {
			n.t.Errorf("check %s passes but prints %q", section, out)
		}
		return nil
	})
	if err != nil {
		n.t.Errorf("check %s still fails after the section's commands: %v", section, err)
	}
}

// nodeShell is a terminal of the node's agent: the login shell a learner
// types into. Its prompt command prints a marker with the exit status of
// each command, so run knows when a command is over and how it went.
type nodeShell struct {
	t *testing.T
	s *engine.Stream

	mu      sync.Mutex
	out     strings.Builder // everything the shell printed
	changed chan struct{}   // closed and replaced on new output
	err     error           // why reading stopped
}

// markerRE matches the prompt command's marker; the command line that sets
// it up does not match, as it holds $? rather than a number.
var markerRE = regexp.MustCompile(`@@rc=(\d+)@@`)

// attachShell attaches to a fresh terminal of the node and sets up the
// markers. The stream closes when the test ends.
func attachShell(t *testing.T, eng *engine.Engine, id string) *nodeShell {
	t.Helper()
	s, err := eng.Attach(context.Background(), id, agent.AttachRequest{Term: "labstest", Cols: 200, Rows: 50})
	if err != nil {
		t.Fatalf("attach: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	sh := &nodeShell{t: t, s: s, changed: make(chan struct{})}
	go sh.read()
	sh.wait("the first prompt", func(out string) bool { return strings.Contains(out, "$ ") })
	if err := s.WriteFrame(agent.FrameInput, []byte(`PROMPT_COMMAND='echo "@@rc=$?@@"'`+"\r")); err != nil {
		t.Fatal(err)
	}
	sh.wait("the prompt's marker", markerRE.MatchString)
	return sh
}

// read collects the shell's output until the stream ends.
func (sh *nodeShell) read() {
	for {
		typ, p, err := sh.s.ReadFrame()
		sh.mu.Lock()
		if err != nil {
			sh.err = err
		} else if typ == agent.FrameOutput {
			sh.out.Write(p)
		}
		close(sh.changed)
		sh.changed = make(chan struct{})
		sh.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// wait blocks until cond holds for the whole output, for at most two
// minutes, and returns the output.
func (sh *nodeShell) wait(what string, cond func(string) bool) string {
	sh.t.Helper()
	timeout := time.After(2 * time.Minute)
	for {
		sh.mu.Lock()
		out, changed, err := sh.out.String(), sh.changed, sh.err
		sh.mu.Unlock()
		if cond(out) {
			return out
		}
		if err != nil {
			sh.t.Fatalf("waiting for %s: the terminal ended: %v\n%s", what, err, lastLinesOf(out, 20))
		}
		select {
		case <-changed:
		case <-timeout:
			sh.t.Fatalf("waiting for %s; the terminal shows:\n%s", what, lastLinesOf(out, 30))
		}
	}
}

// run types command into the shell as a Run button does, waits for the
// next marker, and returns what the command printed and its exit status.
func (sh *nodeShell) run(command string) (string, int) {
	sh.t.Helper()
	sh.mu.Lock()
	from := sh.out.Len()
	sh.mu.Unlock()
	if err := sh.s.WriteFrame(agent.FrameInput, []byte(command+"\r")); err != nil {
		sh.t.Fatal(err)
	}
	out := sh.wait("the end of "+strconv.Quote(firstLine(command)), func(out string) bool {
		return markerRE.MatchString(out[from:])
	})[from:]
	m := markerRE.FindStringSubmatchIndex(out)
	rc, _ := strconv.Atoi(out[m[2]:m[3]])
	return plain(out[:m[0]]), rc
}

// ansiRE matches the terminal's escape sequences (colours, modes).
var ansiRE = regexp.MustCompile(`\x1b(\[[0-9;?]*[a-zA-Z]|\][^\x07]*\x07|[()][A-Z0-9])`)

// plain returns terminal output without escape sequences and carriage
// returns.
func plain(s string) string {
	return strings.ReplaceAll(ansiRE.ReplaceAllString(s, ""), "\r", "")
}

func lastLinesOf(s string, n int) string {
	lines := strings.Split(plain(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
