// Package agent is the node agent: the program that runs as PID 1 of every
// node container. It prepares the container for a nested Docker engine,
// supervises dockerd, and owns the node's shells: each terminal is a login
// shell in a pty that lives as long as the node, with a scrollback buffer that
// is replayed to every client that attaches.
//
// The server never reaches the agent over the network. It execs
// "playground node attach" inside the node through the Docker Engine API; that
// relay connects to the agent's unix socket and copies bytes both ways, so the
// frames below travel over the exec's stdin and stdout.
package agent

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// MaxFrame is the largest payload a frame may carry.
const MaxFrame = 1 << 20

// Frame types sent by a client (the server, through the relay) to the agent.
const (
	// FrameAttach is the first frame of every connection: a JSON AttachRequest.
	FrameAttach byte = 'A'
	// FrameInput carries raw input bytes for the shell.
	FrameInput byte = 'I'
	// FrameResize carries a JSON Size.
	FrameResize byte = 'R'
)

// Frame types sent by the agent to a client.
const (
	// FrameInfo carries a JSON Info; it is sent on attach and whenever the
	// shell is replaced.
	FrameInfo byte = 'S'
	// FrameOutput carries raw output bytes of the shell, replayed or live.
	FrameOutput byte = 'O'
	// FrameReplayEnd marks the end of the replayed scrollback; every output
	// frame after it is live.
	FrameReplayEnd byte = 'E'
	// FrameError carries a JSON ErrorMessage; the agent closes the connection
	// after it when the error is fatal to the attachment.
	FrameError byte = 'F'
)

// AttachRequest opens a connection to a terminal.
type AttachRequest struct {
	// Term names the terminal; the agent starts it on first use.
	Term string `json:"term"`
	// ReadOnly attachments never reach the shell's input and cannot resize it.
	ReadOnly bool `json:"readonly"`
	// Cols and Rows, when non-zero, resize the terminal on attach.
	Cols int `json:"cols,omitempty"`
	Rows int `json:"rows,omitempty"`
}

// Size is a terminal size in character cells.
type Size struct {
	Cols int `json:"cols"`
	Rows int `json:"rows"`
}

// Limits on terminal sizes; anything outside is refused with an error frame.
const (
	MaxCols = 1000
	MaxRows = 500
)

// Valid reports whether s is within the limits the agent accepts.
func (s Size) Valid() bool {
	return s.Cols >= 1 && s.Cols <= MaxCols && s.Rows >= 1 && s.Rows <= MaxRows
}

// Info describes the shell behind a terminal. Every Info is followed by
// Replay bytes of scrollback in FrameOutput frames and then a FrameReplayEnd:
// on attach the scrollback is replayed, and when the shell is replaced a new
// Info with Replay 0 is followed at once by FrameReplayEnd.
type Info struct {
	Term     string `json:"term"`
	PID      int    `json:"pid"`
	ReadOnly bool   `json:"readonly"`
	// Replay is the number of scrollback bytes that follow before FrameReplayEnd.
	Replay int `json:"replay"`
}

// ErrorMessage is the payload of FrameError.
type ErrorMessage struct {
	Message string `json:"message"`
	Fatal   bool   `json:"fatal"`
	// Code is the error's code in the project's vocabulary (fault.Code),
	// when it has one.
	Code string `json:"code,omitempty"`
}

// ErrFrameTooLarge is returned by ReadFrame for a frame over MaxFrame.
var ErrFrameTooLarge = errors.New("agent: frame too large")

// WriteFrame writes one frame: its type, its length as a big-endian uint32,
// and its payload.
func WriteFrame(w io.Writer, typ byte, payload []byte) error {
	if len(payload) > MaxFrame {
		return ErrFrameTooLarge
	}
	buf := make([]byte, 5+len(payload))
	buf[0] = typ
	binary.BigEndian.PutUint32(buf[1:5], uint32(len(payload)))
	copy(buf[5:], payload)
	_, err := w.Write(buf)
	return err
}

// ReadFrame reads one frame. It returns io.EOF only when the stream ends
// cleanly between frames.
func ReadFrame(r io.Reader) (typ byte, payload []byte, err error) {
	var head [5]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, nil, fmt.Errorf("agent: truncated frame header: %w", err)
		}
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(head[1:5])
	if n > MaxFrame {
		return 0, nil, ErrFrameTooLarge
	}
	payload = make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		return 0, nil, fmt.Errorf("agent: truncated frame: %w", err)
	}
	return head[0], payload, nil
}
