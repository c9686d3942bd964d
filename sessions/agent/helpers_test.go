package agent

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// deadline bounds every wait in these tests; it only keeps a broken test
// from hanging.
const deadline = 30 * time.Second

// testConfig returns a config for a terminal server in a temporary
// directory, running a plain interactive bash with a "$ " prompt.
func testConfig(t *testing.T) Config {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	// Unix socket paths are short; t.TempDir can be too long.
	dir, err := os.MkdirTemp("", "agent")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	cfg := DefaultConfig()
	cfg.Socket = filepath.Join(dir, "agent.sock")
	cfg.Terminal.Shell = []string{"bash", "--norc", "--noprofile", "-i"}
	cfg.Terminal.Dir = dir
	cfg.Terminal.Env = []string{"TERM=dumb", "PS1=$ ", "HOME=" + dir, "LANG=C.UTF-8", "HISTFILE=/dev/null"}
	cfg.ManageCgroups, cfg.RunDockerd, cfg.ReapOrphans = false, false, false
	cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return cfg
}

// startTestServer starts a terminal server that is closed when the test
// ends.
func startTestServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	srv, err := StartServer(cfg, NewReaper(false, cfg.Log))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// rframe is a frame received by a test client.
type rframe struct {
	typ     byte
	payload []byte
}

// testClient is a connection to the agent as the server would hold it.
type testClient struct {
	t      *testing.T
	conn   io.ReadWriteCloser
	frames chan rframe // closed when the connection ends
	out    bytes.Buffer
	errs   []ErrorMessage
	infos  []Info
}

// dial connects without attaching and without reading.
func dial(t *testing.T, socket string) net.Conn {
	t.Helper()
	conn, err := net.Dial("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// attach connects, sends the attach request and starts reading frames.
func attach(t *testing.T, socket string, req AttachRequest) *testClient {
	t.Helper()
	c := &testClient{t: t, conn: dial(t, socket)}
	c.sendJSON(FrameAttach, req)
	c.startReading()
	return c
}

// startReading reads frames into c.frames until the connection ends.
func (c *testClient) startReading() {
	c.frames = make(chan rframe, 1024)
	go func() {
		defer close(c.frames)
		for {
			typ, payload, err := ReadFrame(c.conn)
			if err != nil {
				return
			}
			c.frames <- rframe{typ, payload}
		}
	}()
}

func (c *testClient) send(typ byte, payload []byte) {
	c.t.Helper()
	if err := WriteFrame(c.conn, typ, payload); err != nil {
		c.t.Fatalf("write frame %q: %v", typ, err)
	}
}

func (c *testClient) sendJSON(typ byte, v any) {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	c.send(typ, b)
}

// input types s into the shell.
func (c *testClient) input(s string) { c.t.Helper(); c.send(FrameInput, []byte(s)) }

// next returns the next frame, or ok false when the connection ended.
func (c *testClient) next() (rframe, bool) {
	c.t.Helper()
	select {
	case f, ok := <-c.frames:
		return f, ok
	case <-time.After(deadline):
		c.t.Fatalf("no frame within %v; output so far (%d bytes):\n%s", deadline, c.out.Len(), tail(c.out.String()))
		return rframe{}, false
	}
}

// record keeps a frame's content in the client's logs.
func (c *testClient) record(f rframe) {
	c.t.Helper()
	switch f.typ {
	case FrameOutput:
		c.out.Write(f.payload)
	case FrameError:
		var m ErrorMessage
		if err := json.Unmarshal(f.payload, &m); err != nil {
			c.t.Fatalf("error frame %q: %v", f.payload, err)
		}
		c.errs = append(c.errs, m)
	case FrameInfo:
		var info Info
		if err := json.Unmarshal(f.payload, &info); err != nil {
			c.t.Fatalf("info frame %q: %v", f.payload, err)
		}
		c.infos = append(c.infos, info)
	}
}

// replay reads the attach sequence: Info, scrollback, FrameReplayEnd.
func (c *testClient) replay() (Info, []byte) {
	c.t.Helper()
	f, ok := c.next()
	if !ok || f.typ != FrameInfo {
		c.t.Fatalf("first frame: got %q (ok=%v) %q, want info", f.typ, ok, f.payload)
	}
	c.record(f)
	info := c.infos[len(c.infos)-1]
	var scroll []byte
	for {
		f, ok := c.next()
		if !ok {
			c.t.Fatal("connection ended during replay")
		}
		if f.typ == FrameReplayEnd {
			break
		}
		if f.typ != FrameOutput {
			c.t.Fatalf("frame %q during replay", f.typ)
		}
		scroll = append(scroll, f.payload...)
	}
	if len(scroll) != info.Replay {
		c.t.Fatalf("replayed %d bytes, info said %d", len(scroll), info.Replay)
	}
	return info, scroll
}

// waitOutput reads frames until the output seen so far contains want.
func (c *testClient) waitOutput(want string) {
	c.t.Helper()
	from := 0 // search only what could hold a new match
	for !bytes.Contains(c.out.Bytes()[from:], []byte(want)) {
		from = max(0, c.out.Len()-len(want))
		f, ok := c.next()
		if !ok {
			c.t.Fatalf("connection ended before %q; errors %+v; output:\n%s", want, c.errs, tail(c.out.String()))
		}
		c.record(f)
	}
}

// waitFrame reads frames until one of type typ arrives, and returns it.
func (c *testClient) waitFrame(typ byte) rframe {
	c.t.Helper()
	for {
		f, ok := c.next()
		if !ok {
			c.t.Fatalf("connection ended before a %q frame; output:\n%s", typ, c.out.String())
		}
		c.record(f)
		if f.typ == typ {
			return f
		}
	}
}

// waitError reads frames until an error frame arrives and returns it.
func (c *testClient) waitError() ErrorMessage {
	c.t.Helper()
	c.waitFrame(FrameError)
	return c.errs[len(c.errs)-1]
}

// waitClosed reads frames until the connection ends.
func (c *testClient) waitClosed() {
	c.t.Helper()
	for {
		f, ok := c.next()
		if !ok {
			return
		}
		c.record(f)
	}
}

// tail returns the end of a long output, for failure messages.
func tail(s string) string {
	if len(s) > 2000 {
		return "..." + s[len(s)-2000:]
	}
	return s
}
