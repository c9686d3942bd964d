package manager

import (
	"context"
	"encoding/json"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/agent"
	"github.com/labplay/playground/sessions/engine"
)

// Terminals: a shell in a node, reached through the node's agent. The
// agent's frames stay in this room; the server sees events and sizes.

// inputChunk is the largest input frame passed on to the agent.
const inputChunk = 32 << 10

// TermSize is a terminal's size in characters.
type TermSize struct {
	Cols int `json:"cols"`
	Rows int `json:"rows"`
}

// Valid reports whether a size is within what the agent accepts.
func (s TermSize) Valid() bool { return agent.Size{Cols: s.Cols, Rows: s.Rows}.Valid() }

// TermKind is the kind of a TermEvent.
type TermKind int

// Kinds of terminal events.
const (
	// TermOutput carries output of the shell, replayed or live.
	TermOutput TermKind = iota + 1
	// TermInfo describes the shell: on attach, and whenever it is replaced.
	TermInfo
	// TermReplayEnd marks the end of the replayed scrollback.
	TermReplayEnd
	// TermError carries an error of the agent; a fatal one ends the
	// attachment.
	TermError
)

// TermEvent is one thing a terminal sends.
type TermEvent struct {
	Kind TermKind
	// Output is the shell's output (TermOutput).
	Output []byte
	// PID, ReadOnly and Replay describe the shell (TermInfo): Replay
	// bytes of scrollback follow before TermReplayEnd.
	PID      int
	ReadOnly bool
	Replay   int
	// Message and Fatal are the agent's error (TermError).
	Message string
	Fatal   bool
}

// Attachment says which terminal of a node to attach to, and how.
type Attachment struct {
	// Term names the terminal; the agent starts it on first use.
	Term string
	// ReadOnly attachments never reach the shell's input and cannot
	// resize it.
	ReadOnly bool
	// Size is the terminal's size when it is Valid; otherwise the size
	// stays as it is.
	Size TermSize
}

// Terminal is one attachment to a shell in a node. Next is for one reader;
// Input, Resize and Close are safe for concurrent use.
type Terminal struct {
	m           *Manager
	containerID string
	stream      *engine.Stream
	// detach ends the terminal's count as use of its session (idle.go).
	detach func()
}

// Attach attaches to a terminal of the node named node of s, a session the
// caller was given by Get or ScopeSession (whose read-only rights the
// caller passes in a). A node the session lacks, or an ended session,
// answers ENOTFOUND; a stopped node EUNAVAILABLE. A paused session is
// resumed first, and s filled in anew, unless the attachment is read-only
// (an instructor watching does not wake it: EUNAVAILABLE). ctx bounds only
// the setup; the terminal lives until Close, and while it does, a
// read-write one counts as use of the session (no idle pause).
func (m *Manager) Attach(ctx context.Context, s *sessions.Session, node string, a Attachment) (*Terminal, error) {
	n := s.Node(node)
	if n == nil || n.ContainerID == "" {
		return nil, fault.Errorf(fault.ENOTFOUND, "This session has no node %q.", node)
	}
	if !s.Live() {
		return nil, fault.Errorf(fault.ENOTFOUND, "This session has ended.")
	}
	if s.Paused() {
		if a.ReadOnly {
			return nil, fault.Errorf(fault.EUNAVAILABLE, "This session is paused.")
		}
		if err := m.resume(ctx, s); err != nil {
			return nil, err
		}
		if n = s.Node(node); n == nil || n.ContainerID == "" {
			return nil, fault.Errorf(fault.ENOTFOUND, "This session has no node %q.", node)
		}
	}
	req := agent.AttachRequest{Term: a.Term, ReadOnly: a.ReadOnly}
	if a.Size.Valid() {
		req.Cols, req.Rows = a.Size.Cols, a.Size.Rows
	}
	stream, err := m.engine.Attach(ctx, n.ContainerID, req)
	if err != nil {
		return nil, err
	}
	t := &Terminal{m: m, containerID: n.ContainerID, stream: stream, detach: func() {}}
	if !a.ReadOnly {
		t.detach = m.attached(s.ID)
	}
	return t, nil
}

// Next returns the terminal's next event. Frames the server has no use
// for, or cannot read, are skipped. It returns an error when the stream
// ends.
func (t *Terminal) Next() (TermEvent, error) {
	for {
		typ, payload, err := t.stream.ReadFrame()
		if err != nil {
			return TermEvent{}, err
		}
		switch typ {
		case agent.FrameOutput:
			return TermEvent{Kind: TermOutput, Output: payload}, nil
		case agent.FrameInfo:
			var info agent.Info
			if json.Unmarshal(payload, &info) == nil {
				return TermEvent{Kind: TermInfo, PID: info.PID, ReadOnly: info.ReadOnly, Replay: info.Replay}, nil
			}
		case agent.FrameReplayEnd:
			return TermEvent{Kind: TermReplayEnd}, nil
		case agent.FrameError:
			var msg agent.ErrorMessage
			if json.Unmarshal(payload, &msg) == nil {
				return TermEvent{Kind: TermError, Message: msg.Message, Fatal: msg.Fatal}, nil
			}
		}
	}
}

// Input passes bytes, untouched, to the shell, in bounded frames.
func (t *Terminal) Input(b []byte) error {
	for len(b) > 0 {
		n := min(len(b), inputChunk)
		if err := t.stream.WriteFrame(agent.FrameInput, b[:n]); err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// Resize sets the terminal's size; the caller has checked it is Valid.
func (t *Terminal) Resize(size TermSize) error {
	b, _ := json.Marshal(agent.Size{Cols: size.Cols, Rows: size.Rows})
	return t.stream.WriteFrame(agent.FrameResize, b)
}

// Close ends the attachment; the shell goes on.
func (t *Terminal) Close() error {
	t.detach()
	return t.stream.Close()
}

// NodeRunning reports whether the terminal's node runs, so that a lost
// stream can be told apart from a stopped node.
func (t *Terminal) NodeRunning(ctx context.Context) (bool, error) {
	return t.m.engine.NodeRunning(ctx, t.containerID)
}
