package bench

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"

	pgclient "github.com/labplay/playground/client"
	"github.com/labplay/playground/sessions/engine"
)

// measureStarts starts n sessions one after another and times each
// POST /api/sessions, which returns when all three inner engines answer.
func measureStarts(ctx context.Context, c *pgclient.Client, n int) ([]time.Duration, error) {
	var out []time.Duration
	for i := 0; i < n; i++ {
		start := time.Now()
		s, err := c.CreateSession(ctx, "", "")
		if err != nil {
			return nil, err
		}
		out = append(out, time.Since(start))
		if err := c.DeleteSession(ctx, s.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// measureIdleMemory lets a session rest, then adds up the memory its node
// containers use, as "docker stats" counts it.
func measureIdleMemory(ctx context.Context, eng *engine.Engine, sessionID string, idle time.Duration) (uint64, error) {
	select {
	case <-time.After(idle):
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	stats, err := eng.Stats(ctx, sessionID)
	if err != nil {
		return 0, err
	}
	var total uint64
	for _, st := range stats {
		total += st.Memory
	}
	return total, nil
}

// echoThroughServer types one key at a time into node1's terminal through
// the server and times each echo.
func echoThroughServer(ctx context.Context, c *pgclient.Client, sessionID string, keys int) ([]time.Duration, error) {
	t, err := c.Terminal(ctx, sessionID, "node1")
	if err != nil {
		return nil, err
	}
	defer t.Close()
	if err := t.WaitReplayed(30 * time.Second); err != nil {
		return nil, err
	}
	if err := t.Send("echo bench-ready\r"); err != nil {
		return nil, err
	}
	if err := t.WaitOutput("bench-ready\r\n", 30*time.Second); err != nil {
		return nil, err
	}
	out := make([]time.Duration, 0, keys)
	for i := 0; i < keys; i++ {
		before := len(t.Output())
		start := time.Now()
		if err := t.Send("x"); err != nil {
			return nil, err
		}
		if err := t.WaitOutputAfter(before, "x", 10*time.Second); err != nil {
			return nil, err
		}
		out = append(out, time.Since(start))
	}
	t.Send("\x15") // ^U clears the typed line
	return out, nil
}

// echoThroughExec does the same with a plain "docker exec -it bash" on the
// same node, straight through the engine.
func echoThroughExec(ctx context.Context, docker client.APIClient, eng *engine.Engine, sessionID string, keys int) ([]time.Duration, error) {
	nodes, err := eng.Nodes(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	if len(nodes) == 0 {
		return nil, fmt.Errorf("no nodes for session %s", sessionID)
	}
	ex, err := docker.ContainerExecCreate(ctx, nodes[0].ContainerID, container.ExecOptions{
		Cmd: []string{"bash", "--norc", "--noprofile"}, Tty: true, AttachStdin: true, AttachStdout: true, AttachStderr: true,
	})
	if err != nil {
		return nil, err
	}
	hj, err := docker.ContainerExecAttach(ctx, ex.ID, container.ExecAttachOptions{Tty: true})
	if err != nil {
		return nil, err
	}
	defer hj.Close()
	buf := make([]byte, 4096)
	readUntil := func(want string) error {
		var got strings.Builder
		hj.Conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		for !strings.Contains(got.String(), want) {
			n, err := hj.Reader.Read(buf)
			if err != nil {
				return err
			}
			got.Write(buf[:n])
		}
		return nil
	}
	if _, err := hj.Conn.Write([]byte("echo exec-ready\r")); err != nil {
		return nil, err
	}
	if err := readUntil("exec-ready\r\n"); err != nil {
		return nil, err
	}
	out := make([]time.Duration, 0, keys)
	for i := 0; i < keys; i++ {
		start := time.Now()
		if _, err := hj.Conn.Write([]byte("x")); err != nil {
			return nil, err
		}
		if err := readUntil("x"); err != nil {
			return nil, err
		}
		out = append(out, time.Since(start))
	}
	hj.Conn.Write([]byte("\x15exit\r"))
	return out, nil
}
