package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	pgclient "github.com/labplay/playground/client"
	"github.com/labplay/playground/internal/waitfor"
)

// The outer Docker engine restarts under a class: every session comes back
// whole, its learner's files kept, or is ended; none stays half up. It
// restarts the engine that deploy/setup.sh started, so it runs only when
// PLAYGROUND_RESTART_ENGINE=1: make test runs it on its own after the other
// packages (which would fail with their engine gone), make soak with the
// rest of the suite.
func TestSoakEngineRestart(t *testing.T) {
	if os.Getenv("PLAYGROUND_RESTART_ENGINE") != "1" {
		t.Skip("PLAYGROUND_RESTART_ENGINE=1 is not set: this test restarts the Docker engine (make test runs it alone at the end)")
	}
	size := soakScale()
	h := newHarness(t)
	ctx := context.Background()
	type learner struct {
		c *pgclient.Client
		s *pgclient.Session
	}
	learners := make([]learner, size.sessions)
	for i := range learners {
		c := learnerClient(h.base, 40+i)
		s, err := c.CreateSession(ctx, "", "")
		if err != nil {
			t.Fatalf("session %d: %v", i, err)
		}
		learners[i] = learner{c, s}
		t.Cleanup(func() { c.DeleteSession(context.Background(), s.ID) })
		tm, err := c.Terminal(ctx, s.ID, "node2")
		if err != nil {
			t.Fatal(err)
		}
		tm.Send(fmt.Sprintf("echo work-%d > /root/work; echo written-$((%d+1000))\r", i, i))
		if err := tm.WaitOutput(fmt.Sprintf("written-%d", i+1000), 30*time.Second); err != nil {
			t.Fatal(err)
		}
		tm.Close()
	}

	start := time.Now()
	out, err := exec.Command("../deploy/setup.sh", "engine-restart").CombinedOutput()
	if err != nil {
		t.Fatalf("restart the engine: %v\n%s", err, out)
	}
	restarted := time.Since(start)

	// Within a reconcile tick and a node start, every session is whole
	// again, or ended.
	deadline := time.Now().Add(3 * time.Minute)
	var whole, ended int
	for i, l := range learners {
		waitfor.Until(t, fmt.Sprintf("session %d to be whole or ended after the engine restarted", i), time.Until(deadline), func() error {
			s, err := l.c.Session(ctx, l.s.ID)
			if err != nil {
				t.Fatalf("session %d after the restart: %v", i, err)
			}
			up := 0
			for _, n := range s.Nodes {
				if n.Status == "running" {
					up++
				}
			}
			if s.Status == "ended" {
				ended++
				return nil
			}
			if up == len(s.Nodes) && s.Status == "running" {
				whole++
				return nil
			}
			return fmt.Errorf("it is half up: %s, nodes %+v", s.Status, s.Nodes)
		})
		if s, _ := l.c.Session(ctx, l.s.ID); s == nil || s.Status == "ended" {
			continue
		}
		tm, err := l.c.Terminal(ctx, l.s.ID, "node2")
		if err != nil {
			t.Fatalf("session %d's terminal after the restart: %v", i, err)
		}
		tm.Send("cat /root/work; echo after-$((6*7))\r")
		if err := tm.WaitOutput("after-42", 60*time.Second); err != nil {
			t.Fatalf("session %d's shell after the restart: %v", i, err)
		}
		if err := tm.WaitOutput(fmt.Sprintf("work-%d", i), time.Second); err != nil {
			t.Errorf("session %d lost its file: %v", i, err)
		}
		tm.Close()
	}
	if whole != len(learners) {
		t.Errorf("%d of %d sessions came back whole (%d ended)", whole, len(learners), ended)
	}
	soakFigure(t, fmt.Sprintf("outer engine restarted under %d sessions", size.sessions),
		"engine back in %.1f s; all %d sessions whole with their files %.1f s after the restart began", restarted.Seconds(), whole, time.Since(start).Seconds())
}
