package agent

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/internal/waitfor"
)

func TestRunServesThenStopsCleanly(t *testing.T) {
	cfg := testConfig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg) }()

	waitListening(t, cfg.Socket)
	c := attach(t, cfg.Socket, AttachRequest{Term: "main"})
	info, _ := c.replay()
	c.input("echo run''ning\r")
	c.waitOutput("running")

	// A second agent on the same socket is refused.
	if _, err := StartServer(cfg, NewReaper(false, nil)); fault.ErrorCode(err) != fault.ECONFLICT {
		t.Fatalf("second server on the socket: %v", err)
	}

	cancel()
	if e := c.waitError(); !e.Fatal || e.Code != string(fault.EUNAVAILABLE) {
		t.Fatalf("on shutdown: error %+v", e)
	}
	c.waitClosed()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(deadline):
		t.Fatal("Run did not return after its context ended")
	}
	for _, path := range []string{cfg.Socket} {
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is left behind (%v)", path, err)
		}
	}
	if err := syscall.Kill(info.PID, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("the shell (pid %d) outlived the agent: %v", info.PID, err)
	}
}

func TestRunRefusesBadConfig(t *testing.T) {
	cfg := testConfig(t)
	cfg.Terminal.Scrollback = MinScrollback - 1
	if err := Run(context.Background(), cfg); fault.ErrorCode(err) != fault.EINVALID {
		t.Fatalf("Run with a small scrollback = %v", err)
	}
	cfg = testConfig(t)
	cfg.Terminal.Shell = nil
	if err := Run(context.Background(), cfg); fault.ErrorCode(err) != fault.EINVALID {
		t.Fatalf("Run without a shell = %v", err)
	}
}

// waitListening waits until the agent accepts connections on its socket
// (the socket's file appears a moment before: bind comes before listen).
func waitListening(t *testing.T, socket string) {
	t.Helper()
	waitfor.Until(t, "the agent to listen on "+socket, deadline, func() error {
		conn, err := net.Dial("unix", socket)
		if err != nil {
			return err
		}
		return conn.Close()
	})
}
