package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/labplay/playground/internal/waitfor"
)

// TestDockerdSupervisor runs a real, second dockerd in a scratch directory:
// it must answer, come back after it dies, and stop when its context ends.
func TestDockerdSupervisor(t *testing.T) {
	if os.Getenv("PLAYGROUND_TEST_DOCKERD") == "" {
		t.Skip("set PLAYGROUND_TEST_DOCKERD=1 to run a real dockerd (needs root and dockerd in PATH)")
	}
	if _, err := exec.LookPath("dockerd"); err != nil || os.Geteuid() != 0 {
		t.Fatalf("PLAYGROUND_TEST_DOCKERD is set but dockerd (%v) or root is missing", err)
	}
	dir, err := os.MkdirTemp("", "dockerd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	opts := DockerdOptions{
		Path:        "dockerd",
		Socket:      filepath.Join(dir, "docker.sock"),
		PidFile:     filepath.Join(dir, "docker.pid"),
		LogPath:     filepath.Join(dir, "dockerd.log"),
		StopTimeout: 20 * time.Second,
		Args: []string{
			"--data-root", filepath.Join(dir, "data"), "--exec-root", filepath.Join(dir, "exec"),
			"--bridge", "none", "--iptables=false",
			"--default-address-pool", "base=100.96.0.0/16,size=24",
		},
	}
	d := NewDockerd(opts, NewReaper(false, nil), nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		d.Run(ctx)
	}()

	ready := func() int {
		t.Helper()
		wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
		defer wcancel()
		if err := d.Ready(wctx); err != nil {
			log, _ := os.ReadFile(opts.LogPath)
			t.Fatalf("dockerd not ready: %v\n%s", err, log)
		}
		b, err := os.ReadFile(opts.PidFile)
		if err != nil {
			t.Fatal(err)
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		return pid
	}
	first := ready()

	// dockerd dies; the supervisor starts a new one.
	if err := syscall.Kill(first, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Ready must not see the dying engine.
	waitfor.Until(t, fmt.Sprintf("dockerd (pid %d) to exit after SIGTERM", first), time.Minute, func() error {
		if syscall.Kill(first, 0) == nil {
			return errors.New("it still runs")
		}
		return nil
	})
	second := ready()
	if second == first {
		t.Fatalf("dockerd pid %d did not change", first)
	}

	cancel()
	select {
	case <-stopped:
	case <-time.After(time.Minute):
		t.Fatal("the supervisor did not stop dockerd")
	}
	if err := syscall.Kill(second, 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("dockerd (pid %d) outlived its supervisor: %v", second, err)
	}
	if err := Ping(context.Background(), opts.Socket); err == nil {
		t.Fatal("the engine still answers after stop")
	}
}
