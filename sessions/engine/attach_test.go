package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/docker/docker/api/types/container"

	"github.com/labplay/playground/sessions/agent"
)

func TestAttach(t *testing.T) {
	cli := testClient(t)
	e := testEngine(t, cli, Config{NodeImage: nodeImage(t, cli)})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	_, nodes := newSession(t, e, 3)
	waitAll(t, e, nodes[:1])
	node1 := nodes[0]

	s, err := e.Attach(ctx, node1.ContainerID, agent.AttachRequest{Term: "t1", Cols: 80, Rows: 24})
	if err != nil {
		t.Fatalf("Attach: %v", err)
	}
	defer s.Close()
	info := readUntil(t, s, func(typ byte, p []byte, _ string) bool { return typ == agent.FrameInfo })
	var si agent.Info
	if err := json.Unmarshal(info, &si); err != nil || si.Term != "t1" || si.PID == 0 {
		t.Errorf("info frame %s: %v", info, err)
	}

	// The shell computes the marker, so seeing it proves the command ran
	// rather than that the input was echoed.
	n := 10000 + rand.IntN(80000)
	marker := fmt.Sprintf("hi-%d", n+1)
	input := fmt.Sprintf("echo hi-$((%d+1))\n", n)
	// Writers on several goroutines at once: input and resizes.
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			size, _ := json.Marshal(agent.Size{Cols: 80 + i, Rows: 24})
			if err := s.WriteFrame(agent.FrameResize, size); err != nil {
				t.Errorf("resize: %v", err)
			}
		}()
	}
	if err := s.WriteFrame(agent.FrameInput, []byte(input)); err != nil {
		t.Fatalf("WriteFrame: %v", err)
	}
	wg.Wait()
	readUntil(t, s, func(typ byte, _ []byte, all string) bool { return strings.Contains(all, marker) })
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := s.WriteFrame(agent.FrameInput, []byte("x")); !errors.Is(err, ErrStreamClosed) {
		t.Errorf("WriteFrame after Close: %v", err)
	}
	if _, _, err := s.ReadFrame(); err == nil {
		t.Error("ReadFrame after Close succeeded")
	}

	// The terminal outlives the stream: a new attachment replays it.
	s2, err := e.Attach(ctx, node1.ContainerID, agent.AttachRequest{Term: "t1", ReadOnly: true})
	if err != nil {
		t.Fatalf("second Attach: %v", err)
	}
	defer s2.Close()
	replay := ""
	readUntil(t, s2, func(typ byte, p []byte, _ string) bool {
		if typ == agent.FrameOutput {
			replay += string(p)
		}
		return typ == agent.FrameReplayEnd
	})
	if !strings.Contains(replay, marker) {
		t.Errorf("replay lacks %s: %q", marker, replay)
	}
	s2.Close()

	// A stopped node cannot be attached to.
	stop := 2
	if err := cli.ContainerStop(ctx, nodes[2].ContainerID, container.StopOptions{Timeout: &stop}); err != nil {
		t.Fatal(err)
	}
	_, err = e.Attach(ctx, nodes[2].ContainerID, agent.AttachRequest{Term: "t1"})
	if fault.ErrorCode(err) != fault.EUNAVAILABLE || fault.ErrorMessage(err) != "node3 is not running." {
		t.Errorf("Attach to a stopped node: %v", err)
	}
	_, err = e.Attach(ctx, "pg-no-such-container", agent.AttachRequest{Term: "t1"})
	if fault.ErrorCode(err) != fault.EUNAVAILABLE {
		t.Errorf("Attach to a missing node: %v", err)
	}
}

// readUntil reads frames until done says so, and returns the payload of
// the last one; all is the output seen so far. It fails the test on an
// error frame, the end of the stream, or after a minute (closing the stream
// to unblock the read).
func readUntil(t *testing.T, s *Stream, done func(typ byte, payload []byte, all string) bool) []byte {
	t.Helper()
	timer := time.AfterFunc(time.Minute, func() { s.Close() })
	defer timer.Stop()
	var all strings.Builder
	for {
		typ, p, err := s.ReadFrame()
		if err != nil {
			t.Fatalf("ReadFrame: %v (output so far %q)", err, all.String())
		}
		if typ == agent.FrameError {
			t.Fatalf("error frame: %s", p)
		}
		if typ == agent.FrameOutput {
			all.Write(p)
		}
		if done(typ, p, all.String()) {
			return p
		}
	}
}
