package engine

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/agent"
)

// ErrStreamClosed is returned by Stream methods after Close.
var ErrStreamClosed = errors.New("engine: stream closed")

// Stream is a connection to one terminal of a node's agent: frames of the
// agent protocol over the stdin and stdout of an exec of the agent's relay.
// ReadFrame is for one reader; WriteFrame and Close are safe for concurrent
// use.
type Stream struct {
	resp types.HijackedResponse
	in   *bufio.Reader  // demultiplexed stdout
	pr   *io.PipeReader // under in
	done chan struct{}  // closed when the demultiplexer has exited

	writeMu   sync.Mutex // serialises frames on the connection
	closed    atomic.Bool
	closeOnce sync.Once
}

// Attach connects to a terminal of the agent in a node: it execs the relay
// ("playground node attach") and sends req as the first frame. ctx bounds
// only the setup; the stream lives until Close. A stopped or missing node is
// EUNAVAILABLE ("node1 is not running.").
func (e *Engine) Attach(ctx context.Context, containerID string, req agent.AttachRequest) (*Stream, error) {
	payload, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	resp, pr, done, err := e.execPipe(ctx, containerID, agentAttachCmd, "term", req.Term)
	if err != nil {
		return nil, err
	}
	s := &Stream{resp: resp, in: bufio.NewReader(pr), pr: pr, done: done}
	if err := s.WriteFrame(agent.FrameAttach, payload); err != nil {
		s.Close()
		return nil, fault.Wrap(fault.EUNAVAILABLE, err, e.nodeName(ctx, containerID)+" is not answering.")
	}
	return s, nil
}

// execPipe starts cmd in a node with its stdin and stdout attached: writes
// go to resp.Conn; the exec's output is split, stdout into the returned
// pipe, stderr into the log (with attrs). done closes when the output
// ends, or when the caller closes resp. A stopped or missing node is
// EUNAVAILABLE.
func (e *Engine) execPipe(ctx context.Context, containerID string, cmd []string, attrs ...any) (types.HijackedResponse, *io.PipeReader, chan struct{}, error) {
	created, err := e.cli.ContainerExecCreate(ctx, containerID, container.ExecOptions{
		User:         "root",
		Cmd:          cmd,
		AttachStdin:  true,
		AttachStdout: true,
		AttachStderr: true,
	})
	if err != nil {
		return types.HijackedResponse{}, nil, nil, e.nodeDown(ctx, containerID, err)
	}
	resp, err := e.cli.ContainerExecAttach(ctx, created.ID, container.ExecAttachOptions{})
	if err != nil {
		return types.HijackedResponse{}, nil, nil, e.nodeDown(ctx, containerID, err)
	}
	pr, pw := io.Pipe()
	done := make(chan struct{})
	stderr := &logWriter{log: e.log, attrs: append([]any{"container", containerID}, attrs...)}
	go func() {
		defer close(done)
		_, err := stdcopy.StdCopy(pw, stderr, resp.Reader)
		if err == nil {
			err = io.EOF
		}
		pw.CloseWithError(err)
	}()
	return resp, pr, done, nil
}

// ReadFrame reads the next frame from the agent. It returns io.EOF when the
// agent or the relay ended the stream cleanly between frames.
func (s *Stream) ReadFrame() (typ byte, payload []byte, err error) {
	if s.closed.Load() {
		// Frames still buffered from before Close are not handed out.
		return 0, nil, ErrStreamClosed
	}
	typ, payload, err = agent.ReadFrame(s.in)
	if errors.Is(err, io.ErrClosedPipe) {
		err = ErrStreamClosed
	}
	return typ, payload, err
}

// WriteFrame sends one frame to the agent.
func (s *Stream) WriteFrame(typ byte, payload []byte) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if s.closed.Load() {
		return ErrStreamClosed
	}
	// A node that stopped reading (stalled, or its relay gone) must not
	// hold the writer, and the browser connection behind it, for ever.
	s.resp.Conn.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
	if err := agent.WriteFrame(s.resp.Conn, typ, payload); err != nil {
		if s.closed.Load() {
			return ErrStreamClosed
		}
		return err
	}
	return nil
}

// Close ends the stream: it closes the connection, which ends the relay in
// the node, and waits for the demultiplexer to exit. The terminal itself
// lives on in the agent.
func (s *Stream) Close() error {
	s.closeOnce.Do(func() {
		// Closing the connection first unblocks a writer stuck on it.
		s.closed.Store(true)
		s.resp.Close()
		s.pr.CloseWithError(ErrStreamClosed)
		<-s.done
	})
	return nil
}

// logWriter logs what a relay writes to its stderr, one record per write,
// up to a budget per stream: the relay runs in the learner's node, where
// they are root and could make it write without end.
type logWriter struct {
	log    *slog.Logger
	attrs  []any
	logged int
}

// stderrBudget is how many bytes of one relay's stderr reach the log.
const stderrBudget = 4 * maxStderrLog

// Write implements io.Writer.
func (w *logWriter) Write(p []byte) (int, error) {
	if w.logged >= stderrBudget {
		return len(p), nil
	}
	msg := sessions.Clip(string(p), maxStderrLog)
	w.logged += len(msg)
	w.log.Warn("node relay stderr", append([]any{"text", msg}, w.attrs...)...)
	if w.logged >= stderrBudget {
		w.log.Warn("node relay stderr: further output not logged", w.attrs...)
	}
	return len(p), nil
}
