package e2e

// What every test here needs before its harness: the playground binary
// and a Docker engine with the node image.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/docker/docker/client"

	"github.com/labplay/playground/sessions/engine/enginetest"
)

var (
	buildOnce sync.Once
	built     string
	buildErr  error
)

// playgroundBinary returns the playground binary: PLAYGROUND_BIN when it
// names one (make test sets it to bin/playground), else one built once from
// this checkout (with the web bundle in web/dist).
func playgroundBinary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("PLAYGROUND_BIN"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "playground-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		built = filepath.Join(dir, "playground")
		cmd := exec.Command("go", "build", "-o", built, "./cmd/playground")
		cmd.Dir = ".."
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatalf("no playground binary (set PLAYGROUND_BIN or fix the build): %v", buildErr)
	}
	return built
}

// needDocker skips the test unless a Docker engine with the node image
// answers, and returns a client of it.
func needDocker(t testing.TB) client.APIClient {
	t.Helper()
	cli := enginetest.Client(t)
	enginetest.NodeImage(t, cli)
	return cli
}
