package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/docker/docker/client"

	"github.com/labplay/playground/sessions/engine/enginetest"
)

// Integration tests run against the Docker engine named by the environment
// (DOCKER_HOST, default /var/run/docker.sock). Tests that create sessions
// also need the node image, PLAYGROUND_NODE_IMAGE (default
// playground-node:latest). Each test uses its own /28 from 100.64.255.0/24
// and its own instance label, and removes what it created.

// testClient returns a client of the engine, or skips the test when no
// engine answers.
func testClient(t *testing.T) client.APIClient { return enginetest.Client(t) }

// nodeImage returns the node image to test with, or skips the test when the
// engine does not have it.
func nodeImage(t *testing.T, cli client.APIClient) string { return enginetest.NodeImage(t, cli) }

// randomID returns n random bytes in hex.
func randomID(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// testEngine returns an Engine with an instance label of its own.
func testEngine(t *testing.T, cli client.APIClient, cfg Config) *Engine {
	t.Helper()
	if cfg.Instance == "" {
		cfg.Instance = "enginetest-" + randomID(t, 4)
	}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := New(cli, cfg, log)
	t.Cleanup(func() {
		if err := e.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return e
}

// testSubnet returns the i-th /28 of 100.64.255.0/24.
func testSubnet(i int) netip.Prefix {
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{100, 64, 255, byte(16 * i)}), 28)
}

// newSession creates a three-node session on the i-th test subnet and
// removes it when the test ends.
func newSession(t *testing.T, e *Engine, i int) (string, []Node) {
	t.Helper()
	id := "t" + randomID(t, 8)
	t.Cleanup(func() { removeSession(t, e, id) })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	nodes, err := e.CreateSession(ctx, id, testSubnet(i), []string{"node1", "node2", "node3"})
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	return id, nodes
}

// removeSession removes a session under a fresh context.
func removeSession(t *testing.T, e *Engine, id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := e.RemoveSession(ctx, id); err != nil {
		t.Errorf("RemoveSession(%s): %v", id, err)
	}
}

// waitAll waits until every node's inner engine answers.
func waitAll(t *testing.T, e *Engine, nodes []Node) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	errs := make(chan error, len(nodes))
	for _, n := range nodes {
		go func() {
			if err := e.WaitReady(ctx, n.ContainerID); err != nil {
				errs <- fmt.Errorf("%s: %w", n.Name, err)
				return
			}
			errs <- nil
		}()
	}
	for range nodes {
		if err := <-errs; err != nil {
			t.Fatalf("WaitReady: %v", err)
		}
	}
}

// testWriter sends log output to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s", p)
	return len(p), nil
}
