package agent

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/labplay/playground/fault"
)

// Relay connects to the agent's socket and copies bytes both ways: stdin to
// the agent (the caller sends the FrameAttach itself) and the agent's frames
// to stdout. It returns when either side ends or ctx ends.
//
// When stdin ends first, the agent is told (the socket's write side is
// closed) and Relay returns once the agent has closed the connection. When
// the agent ends first, Relay returns at once; if stdin cannot be
// interrupted (a blocking pipe), the goroutine copying it ends at its next
// read, which in "playground node attach" is the process exit.
func Relay(ctx context.Context, stdin io.Reader, stdout io.Writer, socketPath string) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", socketPath)
	if err != nil {
		return fault.Wrap(fault.EUNAVAILABLE, err, "The node agent is not running.")
	}
	defer conn.Close()

	up := make(chan error, 1) // stdin -> agent
	go func() {
		_, err := io.Copy(conn, stdin)
		if uc, ok := conn.(*net.UnixConn); ok {
			_ = uc.CloseWrite()
		}
		up <- err
	}()
	down := make(chan error, 1) // agent -> stdout
	go func() {
		_, err := io.Copy(stdout, conn)
		down <- err
	}()

	select {
	case err := <-down:
		interrupt(stdin)
		return quiet(err)
	case err := <-up:
		if err := quiet(err); err != nil {
			return err
		}
		select { // let the agent finish and close
		case err := <-down:
			return quiet(err)
		case <-ctx.Done():
			return nil
		}
	case <-ctx.Done():
		interrupt(stdin)
		return nil
	}
}

// interrupt wakes a pending read on r when r supports deadlines.
func interrupt(r io.Reader) {
	if d, ok := r.(interface{ SetReadDeadline(time.Time) error }); ok {
		_ = d.SetReadDeadline(time.Now())
	}
}

// quiet drops the errors that just mean a side went away.
func quiet(err error) error {
	if err == nil || errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrClosedPipe) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) {
		return nil
	}
	return err
}
