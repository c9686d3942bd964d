package agent

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestAttachRunsCommand(t *testing.T) {
	cfg := testConfig(t)
	startTestServer(t, cfg)
	c := attach(t, cfg.Socket, AttachRequest{Term: "main"})
	info, _ := c.replay()
	if info.Term != "main" || info.PID <= 0 || info.ReadOnly {
		t.Fatalf("info = %+v", info)
	}
	// The quotes keep the echoed command line from matching.
	c.input("echo hel''lo\r")
	c.waitOutput("hello")
}

func TestReattachReplaysScrollback(t *testing.T) {
	cfg := testConfig(t)
	startTestServer(t, cfg)
	c1 := attach(t, cfg.Socket, AttachRequest{Term: "main"})
	info1, _ := c1.replay()
	c1.input("echo fir''st\r")
	c1.waitOutput("first")
	c1.conn.Close()

	c2 := attach(t, cfg.Socket, AttachRequest{Term: "main"})
	info2, scroll := c2.replay()
	if info2.PID != info1.PID {
		t.Fatalf("shell pid changed across attachments: %d then %d", info1.PID, info2.PID)
	}
	if !bytes.Contains(scroll, []byte("first")) {
		t.Fatalf("scrollback lacks the first command's output:\n%q", scroll)
	}
	c2.input("echo sec''ond\r")
	c2.waitOutput("second")
}

func TestReplayThenLiveLosesAndRepeatsNothing(t *testing.T) {
	cfg := testConfig(t)
	startTestServer(t, cfg)
	const lines = 400
	c1 := attach(t, cfg.Socket, AttachRequest{Term: "main"})
	c1.replay()
	c1.input(fmt.Sprintf("for i in $(seq 1 %d); do echo L$i; sleep 0.002; done; echo fin''ished\r", lines))
	c1.waitOutput("L50\r\n")

	// Attach while the loop is printing: replay plus live output must hold
	// every line exactly once, in order.
	c2 := attach(t, cfg.Socket, AttachRequest{Term: "main"})
	_, scroll := c2.replay()
	c2.out.Write(scroll)
	c2.waitOutput("finished")
	got := regexp.MustCompile(`L(\d+)\r\n`).FindAllStringSubmatch(c2.out.String(), -1)
	if len(got) != lines {
		t.Fatalf("saw %d numbered lines, want %d", len(got), lines)
	}
	for i, m := range got {
		if n, _ := strconv.Atoi(m[1]); n != i+1 {
			t.Fatalf("line %d is L%d", i+1, n)
		}
	}
}

func TestReadOnlyClient(t *testing.T) {
	cfg := testConfig(t)
	startTestServer(t, cfg)
	rw := attach(t, cfg.Socket, AttachRequest{Term: "main"})
	rw.replay()
	ro := attach(t, cfg.Socket, AttachRequest{Term: "main", ReadOnly: true})
	info, _ := ro.replay()
	if !info.ReadOnly {
		t.Fatalf("read-only attach got info %+v", info)
	}

	ro.input("echo ro-inp''ut\r")
	if e := ro.waitError(); e.Fatal || e.Code != "forbidden" {
		t.Fatalf("read-only input: error %+v", e)
	}
	ro.sendJSON(FrameResize, Size{Cols: 100, Rows: 30})
	if e := ro.waitError(); e.Fatal || e.Code != "forbidden" {
		t.Fatalf("read-only resize: error %+v", e)
	}

	// The errors above prove the agent handled the read-only frames before
	// this command, so their echo would precede its output.
	rw.input("stty size; echo rw-ma''rker\r")
	rw.waitOutput("rw-marker")
	ro.waitOutput("rw-marker")
	if strings.Contains(rw.out.String(), "ro-inp") {
		t.Fatalf("read-only input reached the shell:\n%s", rw.out.String())
	}
	if strings.Contains(rw.out.String(), "30 100") {
		t.Fatalf("read-only resize reached the pty:\n%s", rw.out.String())
	}
}

func TestResize(t *testing.T) {
	cfg := testConfig(t)
	startTestServer(t, cfg)
	c := attach(t, cfg.Socket, AttachRequest{Term: "main", Cols: 90, Rows: 33})
	pid := func() int { info, _ := c.replay(); return info.PID }()
	c.input("stty size\r")
	c.waitOutput("33 90")

	for _, bad := range []Size{{0, 0}, {-1, 20}, {80, -5}, {MaxCols + 1, 24}, {80, MaxRows + 1}, {1 << 30, 1 << 30}} {
		c.sendJSON(FrameResize, bad)
		if e := c.waitError(); e.Fatal || e.Code != "invalid" {
			t.Fatalf("resize %+v: error %+v", bad, e)
		}
	}
	c.sendJSON(FrameResize, Size{Cols: 123, Rows: 45})
	c.input("stty size\r")
	c.waitOutput("45 123")
	if len(c.infos) != 1 || c.infos[0].PID != pid {
		t.Fatalf("the shell was replaced: infos %+v", c.infos)
	}
}

func TestNonUTF8PassesThrough(t *testing.T) {
	cfg := testConfig(t)
	startTestServer(t, cfg)
	c := attach(t, cfg.Socket, AttachRequest{Term: "main"})
	c.replay()

	// Output: printf writes raw bytes that no UTF-8 decoder accepts.
	c.input(`printf 'A\377\376\375Z\n'` + "\r")
	c.waitOutput("A\xff\xfe\xfdZ")

	// Input: once "ready" is printed the tty is in cooked mode for od, so
	// the raw bytes reach od's line buffer as typed.
	c.input("echo rea''dy; od -An -tx1\r")
	c.waitOutput("ready")
	c.send(FrameInput, []byte{0xff, 0xfe, 0x80, '\n', 0x04})
	c.waitOutput(" ff fe 80 0a")
}

func TestProtocolErrors(t *testing.T) {
	cfg := testConfig(t)
	startTestServer(t, cfg)
	good := attach(t, cfg.Socket, AttachRequest{Term: "main"})
	info, _ := good.replay()

	// Unknown frame types are not fatal.
	good.send('Z', []byte("?"))
	if e := good.waitError(); e.Fatal || e.Code != "invalid" {
		t.Fatalf("unknown frame: error %+v", e)
	}

	refused := func(name string, f func(c *testClient), code string) {
		t.Run(name, func(t *testing.T) {
			c := &testClient{t: t, conn: dial(t, cfg.Socket)}
			c.startReading()
			f(c)
			if e := c.waitError(); !e.Fatal || e.Code != code {
				t.Fatalf("error %+v, want fatal %s", e, code)
			}
			c.waitClosed()
		})
	}
	refused("first frame not attach", func(c *testClient) { c.input("ls\r") }, "invalid")
	refused("attach not JSON", func(c *testClient) { c.send(FrameAttach, []byte("{")) }, "invalid")
	refused("bad terminal name", func(c *testClient) { c.sendJSON(FrameAttach, AttachRequest{Term: "../x"}) }, "invalid")
	refused("long terminal name", func(c *testClient) {
		c.sendJSON(FrameAttach, AttachRequest{Term: strings.Repeat("a", 33)})
	}, "invalid")
	refused("oversized frame", func(c *testClient) {
		c.sendJSON(FrameAttach, AttachRequest{Term: "main"})
		// A header announcing one byte over the limit, and no payload.
		if _, err := c.conn.Write([]byte{FrameInput, 0x00, 0x10, 0x00, 0x01}); err != nil {
			t.Fatal(err)
		}
	}, "too_large")
	refused("malformed resize", func(c *testClient) {
		c.sendJSON(FrameAttach, AttachRequest{Term: "main"})
		c.send(FrameResize, []byte("not json"))
	}, "invalid")

	// None of that touched the shell or the good connection.
	good.input("echo st''ill\r")
	good.waitOutput("still")
	if len(good.infos) != 1 || good.infos[0].PID != info.PID {
		t.Fatalf("the shell was replaced: infos %+v", good.infos)
	}
}

// A watcher that reads nothing neither holds the shell back nor is dropped.
func TestSlowClientDoesNotBlockOthers(t *testing.T) {
	cfg := testConfig(t)
	cfg.Terminal.Backlog = 1 << 20
	cfg.WriteGrace = deadline // the slow client reads its error frame later
	startTestServer(t, cfg)

	// The slow client attaches and then reads nothing at all.
	slow := &testClient{t: t, conn: dial(t, cfg.Socket)}
	slow.sendJSON(FrameAttach, AttachRequest{Term: "main", ReadOnly: true})

	fast := attach(t, cfg.Socket, AttachRequest{Term: "main"})
	info, _ := fast.replay()
	// About 4.5 MB of output, far beyond the socket buffers and the backlog,
	// in bursts of 60 KB that a reading client absorbs easily.
	fast.input("for i in $(seq 80); do seq 100000 110000; sleep 0.02; done; echo fini''shed\r")
	fast.waitOutput("finished")

	// The watcher that read nothing was not dropped: it skipped ahead, with
	// a marker, and goes on to the end.
	slow.startReading()
	slow.waitOutput("finished")
	if !strings.Contains(slow.out.String(), string(skippedMarker)) {
		t.Fatal("the lagging watcher got no marker of what it skipped")
	}

	fast.input("echo af''ter\r")
	fast.waitOutput("after")
	if len(fast.infos) != 1 || fast.infos[0].PID != info.PID {
		t.Fatalf("the shell was replaced: infos %+v", fast.infos)
	}
}

func TestExitStartsNewShell(t *testing.T) {
	cfg := testConfig(t)
	startTestServer(t, cfg)
	c := attach(t, cfg.Socket, AttachRequest{Term: "main"})
	first, _ := c.replay()
	c.input("exit 3\r")
	c.waitOutput("[shell exited (exit status 3); starting a new shell]")
	c.waitFrame(FrameInfo)
	second := c.infos[len(c.infos)-1]
	if second.PID <= 0 || second.PID == first.PID || second.Replay != 0 {
		t.Fatalf("after exit: info %+v, first %+v", second, first)
	}
	if f, ok := c.next(); !ok || f.typ != FrameReplayEnd {
		t.Fatalf("after the new info: frame %q, want replay end", f.typ)
	}
	c.input("echo $$; echo fre''sh\r")
	c.waitOutput("fresh")
	if !strings.Contains(c.out.String(), strconv.Itoa(second.PID)) {
		t.Fatalf("the new shell's $$ is not %d:\n%s", second.PID, c.out.String())
	}

	// A later client sees the new shell, and the notice in the scrollback.
	c2 := attach(t, cfg.Socket, AttachRequest{Term: "main"})
	info, scroll := c2.replay()
	if info.PID != second.PID || !bytes.Contains(scroll, []byte("[shell exited")) {
		t.Fatalf("reattach: info %+v, scrollback:\n%s", info, scroll)
	}
}

func TestTerminalsAreSeparate(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxTerminals = 2
	startTestServer(t, cfg)
	a := attach(t, cfg.Socket, AttachRequest{Term: "a"})
	infoA, _ := a.replay()
	b := attach(t, cfg.Socket, AttachRequest{Term: "b"})
	infoB, _ := b.replay()
	if infoA.PID == infoB.PID {
		t.Fatalf("terminals a and b share pid %d", infoA.PID)
	}
	a.input("echo only-in''-a\r")
	a.waitOutput("only-in-a")
	b.input("echo in''-b\r")
	b.waitOutput("in-b")
	if strings.Contains(b.out.String(), "only-in-a") {
		t.Fatal("terminal a's output reached terminal b")
	}

	c := &testClient{t: t, conn: dial(t, cfg.Socket)}
	c.startReading()
	c.sendJSON(FrameAttach, AttachRequest{Term: "c"})
	if e := c.waitError(); !e.Fatal || e.Code != "full" {
		t.Fatalf("third terminal: error %+v", e)
	}
}
