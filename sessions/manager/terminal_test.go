package manager

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions/engine"
)

// nextUntil reads a terminal's events until one satisfies ok, and fails
// the test if the terminal ends first.
func nextUntil(t *testing.T, term *Terminal, what string, ok func(TermEvent) bool) TermEvent {
	t.Helper()
	for {
		ev, err := term.Next()
		if err != nil {
			t.Fatalf("the terminal ended before %s: %v", what, err)
		}
		if ok(ev) {
			return ev
		}
	}
}

// A terminal of a node: it describes its shell, carries input to it and
// its output back, resizes, and ends with the session; a watcher's
// attachment is read-only.
func TestTerminal(t *testing.T) {
	env := newTestEnv(t, Config{LabNodes: oneNodeLabs}, engine.Config{})
	ctx := context.Background()
	s := env.startOne(t, "ana")
	_, err := env.m.Attach(ctx, s, "node2", Attachment{Term: "main"})
	wantCode(t, "attaching to a node the session lacks", err, fault.ENOTFOUND)

	term, err := env.m.Attach(ctx, s, "node1", Attachment{Term: "main", Size: TermSize{Cols: 100, Rows: 30}})
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	info := nextUntil(t, term, "the shell's description", func(ev TermEvent) bool { return ev.Kind == TermInfo })
	if info.PID <= 0 || info.ReadOnly {
		t.Errorf("info = %+v, want a shell's pid, writable", info)
	}
	nextUntil(t, term, "the end of the replay", func(ev TermEvent) bool { return ev.Kind == TermReplayEnd })
	if err := term.Input([]byte("stty size; echo door-$((40+2))\n")); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	nextUntil(t, term, "the command's output", func(ev TermEvent) bool {
		out.Write(ev.Output)
		return strings.Contains(out.String(), "door-42")
	})
	if !strings.Contains(out.String(), "30 100") {
		t.Errorf("the shell's size is not the one asked for (30 100): %q", out.String())
	}
	if err := term.Resize(TermSize{Cols: 90, Rows: 20}); err != nil {
		t.Fatal(err)
	}
	if err := term.Input([]byte("stty size\n")); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	nextUntil(t, term, "the new size", func(ev TermEvent) bool {
		out.Write(ev.Output)
		return strings.Contains(out.String(), "20 90")
	})
	if up, err := term.NodeRunning(ctx); err != nil || !up {
		t.Errorf("NodeRunning = %v, %v; want true", up, err)
	}

	// A watcher's attachment to the same shell replays it, read-only.
	watch, err := env.m.Attach(ctx, s, "node1", Attachment{Term: "main", ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	if info := nextUntil(t, watch, "the watcher's description", func(ev TermEvent) bool { return ev.Kind == TermInfo }); !info.ReadOnly || info.Replay == 0 {
		t.Errorf("the watcher's info = %+v, want read-only with scrollback to replay", info)
	}

	// The session ends: the stream ends and the node is gone.
	if err := env.m.Delete(ctx, "ana", s.ID); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for {
			if _, err := term.Next(); err != nil {
				done <- err
				return
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("the terminal still runs a minute after its session ended")
	}
	if up, _ := term.NodeRunning(ctx); up {
		t.Error("NodeRunning says the node of an ended session runs")
	}
}
