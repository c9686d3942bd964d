package engine

import (
	"context"
	"io"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"
)

// run execs cmd as root in a container, copies stdin (when not nil) to the
// command and closes it, and writes the command's stdout and stderr to out in
// the order they arrive. It returns the exit code once the output ends.
// When ctx ends first the exec is abandoned and ctx's error returned; the
// process keeps running in the node unless the command bounds itself.
func (e *Engine) run(ctx context.Context, containerID string, cmd []string, stdin io.ReadCloser, out io.Writer) (int, error) {
	return e.runSplit(ctx, containerID, cmd, stdin, out, out)
}

// runSplit is run with the command's stdout and stderr written to stdout
// and stderr.
func (e *Engine) runSplit(ctx context.Context, containerID string, cmd []string, stdin io.ReadCloser, stdout, stderr io.Writer) (int, error) {
	if stdin != nil {
		defer stdin.Close()
	}
	created, err := e.cli.ContainerExecCreate(ctx, containerID, container.ExecOptions{
		User:         "root",
		Cmd:          cmd,
		AttachStdin:  stdin != nil,
		AttachStdout: true,
		AttachStderr: true,
	})
	if err != nil {
		return 0, e.nodeDown(ctx, containerID, err)
	}
	resp, err := e.cli.ContainerExecAttach(ctx, created.ID, container.ExecAttachOptions{})
	if err != nil {
		return 0, e.nodeDown(ctx, containerID, err)
	}
	defer resp.Close()
	// Closing the connection when ctx ends unblocks the reads below.
	stop := context.AfterFunc(ctx, resp.Close)
	defer stop()

	// The copier's own errors do not matter: a command that did not get all
	// its input says so in its output and exit code.
	copied := make(chan struct{})
	if stdin != nil {
		go func() {
			defer close(copied)
			if _, err := io.Copy(resp.Conn, stdin); err == nil {
				resp.CloseWrite()
			}
		}()
	}
	_, err = stdcopy.StdCopy(stdout, stderr, resp.Reader)
	if stdin != nil {
		// Unblock the copier whether it waits on the connection or on stdin.
		resp.Close()
		stdin.Close()
		<-copied
	}
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	if err != nil {
		return 0, engineError(err, "read exec output")
	}
	return e.exitCode(ctx, created.ID)
}

// exitCode waits briefly for an exec whose output has ended to be marked
// finished, and returns its exit code.
func (e *Engine) exitCode(ctx context.Context, execID string) (int, error) {
	delay := 10 * time.Millisecond
	for {
		info, err := e.cli.ContainerExecInspect(ctx, execID)
		if err != nil {
			return 0, engineError(err, "inspect exec")
		}
		if !info.Running {
			return info.ExitCode, nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, 500*time.Millisecond)
	}
}

// cappedBuffer keeps the first max bytes written to it and drops the rest,
// while reporting every write as complete so the stream keeps draining.
type cappedBuffer struct {
	buf       []byte
	max       int
	truncated bool
}

// Write implements io.Writer.
func (b *cappedBuffer) Write(p []byte) (int, error) {
	room := b.max - len(b.buf)
	if len(p) > room {
		b.buf = append(b.buf, p[:max(room, 0)]...)
		b.truncated = true
		return len(p), nil
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// String returns what was kept.
func (b *cappedBuffer) String() string { return string(b.buf) }
