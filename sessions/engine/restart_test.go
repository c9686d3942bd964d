package engine

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/labplay/playground/internal/waitfor"
)

// A node killed and started again comes back with a working engine, every
// time: the runtime files its previous life left (dockerd's and
// containerd's pid files) must not mislead the new one.
func TestStartNodeAfterKill(t *testing.T) {
	cli := testClient(t)
	e := testEngine(t, cli, Config{NodeImage: nodeImage(t, cli)})
	_, nodes := newSession(t, e, 6)
	waitAll(t, e, nodes)
	n := nodes[1]
	ctx := context.Background()
	for round := 1; round <= 5; round++ {
		if err := cli.ContainerKill(ctx, n.ContainerID, "KILL"); err != nil {
			t.Fatal(err)
		}
		waitStopped(t, e, n.ContainerID)
		if err := e.StartNode(ctx, n.ContainerID); err != nil {
			t.Fatalf("round %d: start: %v", round, err)
		}
		wctx, cancel := context.WithTimeout(ctx, 45*time.Second)
		err := e.WaitReady(wctx, n.ContainerID)
		cancel()
		if err != nil {
			out, _, _ := e.Exec(ctx, n.ContainerID, "tail -5 /var/log/dockerd.log", 10*time.Second)
			t.Fatalf("round %d: the node's engine did not come back: %v\n%s", round, err, out)
		}
	}
	if err := e.StartNode(ctx, "no-such-container"); err == nil {
		t.Fatal("starting a missing node succeeded")
	}
}

// waitStopped waits until a container that was killed is no longer running:
// the kill returns before the engine has seen the process die, and a start
// before that finds the node still up.
func waitStopped(t *testing.T, e *Engine, containerID string) {
	t.Helper()
	waitfor.Until(t, "the killed node "+containerID+" to stop", 30*time.Second, func() error {
		running, err := e.NodeRunning(context.Background(), containerID)
		if err != nil {
			return err
		}
		if running {
			return errors.New("it still runs")
		}
		return nil
	})
}
