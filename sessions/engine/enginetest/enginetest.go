// Package enginetest gives tests a client of the real Docker engine and the
// node image to run, or skips them, saying what is missing, when the
// environment lacks either (make test provides both).
package enginetest

import (
	"context"
	"os"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/client"
)

// DefaultNodeImage is the node image tests use unless PLAYGROUND_NODE_IMAGE
// names another. It matches the engine package's default.
const DefaultNodeImage = "playground-node:latest"

// Client returns a client of the engine named by the environment
// (DOCKER_HOST, or the local socket), closed when the test ends. It skips
// the test when no engine answers.
func Client(t testing.TB) *client.Client {
	t.Helper()
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Skipf("no Docker client (DOCKER_HOST): %v", err)
	}
	t.Cleanup(func() { cli.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx); err != nil {
		t.Skipf("no Docker engine answers (DOCKER_HOST or /var/run/docker.sock): %v", err)
	}
	return cli
}

// NodeImage returns the node image to test with. It skips the test when the
// engine does not have it, and fails it when the engine cannot say.
func NodeImage(t testing.TB, cli client.APIClient) string {
	t.Helper()
	img := os.Getenv("PLAYGROUND_NODE_IMAGE")
	if img == "" {
		img = DefaultNodeImage
	}
	if _, err := cli.ImageInspect(context.Background(), img); err != nil {
		if cerrdefs.IsNotFound(err) {
			t.Skipf("node image %s is not on the engine (set PLAYGROUND_NODE_IMAGE or run make images)", img)
		}
		t.Fatalf("inspect %s: %v", img, err)
	}
	return img
}
