package agent

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"regexp"
	"time"

	"github.com/labplay/playground/fault"
)

// attachTimeout is how long a new connection may take to send FrameAttach.
const attachTimeout = 10 * time.Second

// termName is the shape of a terminal's name.
var termName = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)

// handle serves one connection: an attach, then input and resize frames
// until the client leaves. Whatever happens here, the shell lives on.
func (s *Server) handle(conn net.Conn) {
	defer s.wg.Done()
	defer s.forget(conn)

	_ = conn.SetReadDeadline(time.Now().Add(attachTimeout))
	req, err := readAttach(conn)
	if err != nil {
		s.refuse(conn, err)
		return
	}
	_ = conn.SetReadDeadline(time.Time{})
	term, err := s.terminalNamed(req.Term)
	if err != nil {
		s.refuse(conn, err)
		return
	}
	c := newClient(req.ReadOnly, s.cfg.Terminal.Backlog, func() {
		_ = conn.SetWriteDeadline(time.Now().Add(s.cfg.WriteGrace))
	})
	if err := term.attach(c); err != nil {
		s.refuse(conn, err)
		return
	}
	if !req.ReadOnly && (req.Cols != 0 || req.Rows != 0) {
		if err := term.resize(c, Size{Cols: req.Cols, Rows: req.Rows}); err != nil {
			c.pushError(err)
		}
	}
	s.log.Debug("attached", "term", req.Term, "readonly", req.ReadOnly)

	written := make(chan struct{})
	go func() {
		defer close(written)
		writeFrames(conn, c)
		conn.Close() // wakes the reader when the writer ends first
	}()
	readFrames(conn, term, c)
	term.detach(c)
	c.close()
	<-written
	s.log.Debug("detached", "term", req.Term, "readonly", req.ReadOnly)
}

// readAttach reads and checks the first frame of a connection.
func readAttach(r io.Reader) (AttachRequest, error) {
	var req AttachRequest
	typ, payload, err := ReadFrame(r)
	switch {
	case errors.Is(err, ErrFrameTooLarge):
		return req, fault.Errorf(fault.ETOOLARGE, "The frame is over the %d-byte limit.", MaxFrame)
	case err != nil:
		return req, fault.Wrap(fault.EINVALID, err, "The connection ended before attaching.")
	case typ != FrameAttach:
		return req, fault.Errorf(fault.EINVALID, "The first frame must be an attach frame.")
	}
	if err := json.Unmarshal(payload, &req); err != nil {
		return req, fault.Wrap(fault.EINVALID, err, "The attach frame is not valid JSON.")
	}
	if !termName.MatchString(req.Term) {
		return req, fault.Errorf(fault.EINVALID, "A terminal name is 1-32 characters of a-z, 0-9 and '-'.")
	}
	return req, nil
}

// refuse sends a fatal error frame to a connection that is not attached.
func (s *Server) refuse(conn net.Conn, err error) {
	s.log.Debug("refused connection", "err", err)
	b, _ := json.Marshal(errorMessage(err, true))
	_ = conn.SetWriteDeadline(time.Now().Add(s.cfg.WriteGrace))
	_ = WriteFrame(conn, FrameError, b)
}

// readFrames handles the client's frames until the connection ends or a
// fatal error is queued.
func readFrames(r io.Reader, term *terminal, c *client) {
	toldReadOnly := false
	for {
		typ, payload, err := ReadFrame(r)
		switch {
		case errors.Is(err, ErrFrameTooLarge):
			c.fail(fault.Errorf(fault.ETOOLARGE, "The frame is over the %d-byte limit.", MaxFrame))
			return
		case errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrUnexpectedEOF) ||
			errors.Is(err, os.ErrDeadlineExceeded):
			return // the client left, or the writer closed the connection
		case err != nil:
			c.fail(fault.Wrap(fault.EINVALID, err, "A frame could not be read."))
			return
		}
		switch typ {
		case FrameInput:
			if err := term.input(c, payload); err != nil {
				if c.readOnly && toldReadOnly {
					continue // said once per connection is enough
				}
				toldReadOnly = toldReadOnly || c.readOnly
				c.pushError(err)
			}
		case FrameResize:
			var size Size
			if err := json.Unmarshal(payload, &size); err != nil {
				c.fail(fault.Wrap(fault.EINVALID, err, "The resize frame is not valid JSON."))
				return
			}
			if err := term.resize(c, size); err != nil {
				c.pushError(err)
			}
		case FrameAttach:
			c.pushError(fault.Errorf(fault.ECONFLICT, "This connection is already attached."))
		default:
			c.pushError(fault.Errorf(fault.EINVALID, "Unknown frame type %q.", typ))
		}
	}
}

// writeFrames writes the client's queue to w until the queue ends or a write
// fails. Frames taken together go out in one buffered write.
func writeFrames(w io.Writer, c *client) {
	bw := bufio.NewWriterSize(w, 64<<10)
	for {
		frames, final, end := c.next()
		for _, f := range frames {
			if err := WriteFrame(bw, f.typ, f.payload); err != nil {
				return
			}
		}
		if end && final != nil {
			b, _ := json.Marshal(final)
			if err := WriteFrame(bw, FrameError, b); err != nil {
				return
			}
		}
		if err := bw.Flush(); err != nil || end {
			return
		}
	}
}
