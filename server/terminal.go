package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/go-chi/chi/v5"
	"github.com/gorilla/websocket"

	"github.com/labplay/playground/metrics"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/manager"
)

// Websocket limits and timings of terminal connections.
const (
	// maxTermMessage is the largest message a browser may send (a big paste);
	// anything larger closes the connection with 1009. The shell is unaffected.
	maxTermMessage = 1 << 20
	pingEvery      = 20 * time.Second
	pongWait       = 60 * time.Second
	writeWait      = 10 * time.Second
)

// Message types of the browser protocol: the first byte of a binary frame.
const (
	msgInput   = '0' // client → server: input; server → client: output
	msgResize  = '1' // client → server: {"cols":N,"rows":M}
	msgControl = '2' // server → client: a JSON control message
	msgAck     = '3' // client → server: output bytes processed, in decimal (flow.go)
)

// Websocket close codes of the browser protocol.
const (
	closeNodeUnavailable = 4503
	// closeLoggedOut ends an instructor's view whose login has ended.
	closeLoggedOut = 4401
	// maxCloseReason keeps a close reason (with its "…") under the
	// protocol's 123-byte limit.
	maxCloseReason = 118
)

// termName is the one terminal each node shows in the browser.
const termName = "main"

var upgrader = websocket.Upgrader{
	ReadBufferSize:  16 << 10,
	WriteBufferSize: 32 << 10,
	// Origins are checked by checkOrigin before Upgrade is called.
	CheckOrigin: func(*http.Request) bool { return true },
}

// terminal bridges a browser websocket to the shell of one node, through the
// node agent. The session's owner may type; other admitted viewers only watch.
func (s *Server) terminal(w http.ResponseWriter, r *http.Request) {
	sess, readonly, err := s.terminalAccess(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	node := sess.Node(chi.URLParam(r, "node"))
	if node == nil {
		s.writeError(w, r, fault.Errorf(fault.ENOTFOUND, "This session has no node %q.", chi.URLParam(r, "node")))
		return
	}
	if !sess.Live() {
		s.writeError(w, r, fault.Errorf(fault.ENOTFOUND, "This session has ended."))
		return
	}
	if !s.checkOrigin(r) {
		s.writeError(w, r, fault.Errorf(fault.EFORBIDDEN, "Terminals only answer pages of this site."))
		return
	}
	release, err := s.terms.admit(r.Context(), sess.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer release()
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered the client
	}
	tc := &terminalConn{conn: conn, readonly: readonly, log: s.log.With("session", sess.ID, "node", node.Name), metrics: s.metrics,
		flow: newWindow(), node: node.Name}
	defer s.metrics.TerminalOpened()()
	if !s.terms.add(tc) {
		tc.close(websocket.CloseGoingAway, "server shutting down")
		return
	}
	defer s.terms.remove(tc)
	if readonly {
		// An instructor's view ends when their login does.
		ctx, cancel := s.untilLoggedOut(r.Context(), r)
		defer cancel()
		stop := context.AfterFunc(ctx, func() {
			if r.Context().Err() == nil {
				tc.close(closeLoggedOut, "Your instructor login has ended; log in again to watch.")
			}
		})
		defer stop()
	}
	var size manager.TermSize // an initial size, when the page gives a valid one
	size.Cols, _ = strconv.Atoi(r.URL.Query().Get("cols"))
	size.Rows, _ = strconv.Atoi(r.URL.Query().Get("rows"))
	stream, err := s.manager.Attach(r.Context(), sess, node.Name, manager.Attachment{Term: termName, ReadOnly: readonly, Size: size})
	if err != nil {
		tc.log.Info("terminal attach failed", "err", err)
		tc.close(closeNodeUnavailable, fault.ErrorMessage(err))
		return
	}
	tc.run(stream)
}

// terminalAccess decides who may open a terminal of the session named in the
// request: its owner, read-write; the instructor of the classroom the
// session belongs to, read-only (watchAccess). Anyone else gets ENOTFOUND.
func (s *Server) terminalAccess(r *http.Request) (*sessions.Session, bool, error) {
	sess, err := s.manager.Get(r.Context(), userID(r), chi.URLParam(r, "id"))
	if fault.ErrorCode(err) == fault.ENOTFOUND {
		if watched, werr := s.watchAccess(r); werr == nil {
			return watched, true, nil
		}
	}
	if err != nil {
		return nil, false, err
	}
	return sess, false, nil
}

// checkOrigin admits requests without an Origin (not from a browser page)
// and those whose Origin is this site.
func (s *Server) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	if s.cfg.PublicURL != "" {
		if p, err := url.Parse(s.cfg.PublicURL); err == nil && strings.EqualFold(u.Host, p.Host) {
			return true
		}
	}
	return false
}

// terminalConn is one browser websocket bridged to one agent stream.
type terminalConn struct {
	conn     *websocket.Conn
	readonly bool
	log      *slog.Logger
	metrics  *metrics.Metrics
	flow     *window
	node     string // the node's name

	writeMu sync.Mutex
	closed  sync.Once
}

// run copies messages both ways until either side ends.
func (tc *terminalConn) run(stream *manager.Terminal) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // agent → browser
		defer wg.Done()
		tc.fromAgent(stream)
	}()
	go func() { // keepalive
		defer wg.Done()
		tc.pinger(done)
	}()
	tc.fromBrowser(stream)
	tc.flow.close()
	close(done)
	stream.Close()
	tc.conn.Close()
	wg.Wait()
}

// fromAgent turns the terminal's events into browser messages.
func (tc *terminalConn) fromAgent(stream *manager.Terminal) {
	for {
		ev, err := stream.Next()
		if err != nil {
			if nodeUp(stream) {
				// The node runs: the page reconnects to the same shell.
				tc.close(websocket.CloseGoingAway, "lost the connection to the node's terminal; reconnecting")
			} else {
				tc.close(closeNodeUnavailable, tc.node+" is not running")
			}
			return
		}
		switch ev.Kind {
		case manager.TermOutput:
			tc.flow.reserve(len(ev.Output))
			err = tc.send(msgInput, ev.Output)
			tc.metrics.TerminalBytes("out", len(ev.Output))
		case manager.TermInfo:
			err = tc.control(map[string]any{"type": "info", "pid": ev.PID, "readonly": ev.ReadOnly || tc.readonly})
			if err == nil {
				err = tc.control(map[string]any{"type": "replay-start", "bytes": ev.Replay})
			}
		case manager.TermReplayEnd:
			err = tc.control(map[string]any{"type": "replay-end"})
		case manager.TermError:
			err = tc.control(map[string]any{"type": "error", "message": ev.Message})
			if ev.Fatal {
				tc.close(closeNodeUnavailable, ev.Message)
				return
			}
		}
		if err != nil {
			// The browser stopped taking output: end the connection so it
			// reconnects, rather than leave a terminal that types blind.
			tc.close(websocket.CloseGoingAway, "output stalled")
			return
		}
	}
}

// nodeUp reports whether a terminal's node runs, so that a lost stream is
// called "node unavailable" only when it does not. When the engine cannot
// say, the node is not claimed to be down.
func nodeUp(stream *manager.Terminal) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	up, err := stream.NodeRunning(ctx)
	return up || err != nil
}

// fromBrowser reads browser messages and passes input and resizes on.
func (tc *terminalConn) fromBrowser(stream *manager.Terminal) {
	tc.conn.SetReadLimit(maxTermMessage)
	tc.conn.SetReadDeadline(time.Now().Add(pongWait))
	tc.conn.SetPongHandler(func(string) error {
		return tc.conn.SetReadDeadline(time.Now().Add(pongWait))
	})
	warnedReadOnly := false
	for {
		_, msg, err := tc.conn.ReadMessage()
		if err != nil {
			if err == websocket.ErrReadLimit {
				tc.close(websocket.CloseMessageTooBig, "message over 1 MiB")
			}
			return
		}
		tc.conn.SetReadDeadline(time.Now().Add(pongWait))
		if len(msg) == 0 {
			continue
		}
		switch msg[0] {
		case msgInput:
			if tc.readonly {
				if !warnedReadOnly {
					warnedReadOnly = true
					tc.control(map[string]any{"type": "error", "message": "This terminal is read-only."})
				}
				continue
			}
			if err := stream.Input(msg[1:]); err != nil {
				return
			}
			tc.metrics.TerminalBytes("in", len(msg)-1)
		case msgResize:
			if tc.readonly {
				continue
			}
			var size manager.TermSize
			if len(msg) > 256 || json.Unmarshal(msg[1:], &size) != nil || !size.Valid() {
				tc.control(map[string]any{"type": "error", "message": "Ignored a resize: send {\"cols\":1-1000,\"rows\":1-500}."})
				continue
			}
			if err := stream.Resize(size); err != nil {
				return
			}
		case msgAck:
			if n, err := strconv.ParseInt(string(msg[1:]), 10, 64); err == nil {
				tc.flow.ack(n)
			}
		default:
			tc.control(map[string]any{"type": "error", "message": "Unknown message type; the first byte must be '0', '1' or '3'."})
		}
	}
}

// pinger pings the browser so idle tabs stay connected through proxies.
func (tc *terminalConn) pinger(done <-chan struct{}) {
	t := time.NewTicker(pingEvery)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			if err := tc.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return
			}
		}
	}
}

// send writes one browser message of the given type.
func (tc *terminalConn) send(typ byte, payload []byte) error {
	tc.writeMu.Lock()
	defer tc.writeMu.Unlock()
	tc.conn.SetWriteDeadline(time.Now().Add(writeWait))
	w, err := tc.conn.NextWriter(websocket.BinaryMessage)
	if err != nil {
		return err
	}
	w.Write([]byte{typ})
	w.Write(payload)
	return w.Close()
}

// control writes a JSON control message.
func (tc *terminalConn) control(v any) error {
	b, _ := json.Marshal(v)
	return tc.send(msgControl, b)
}

// close sends a close frame with a code and a reason, then closes the
// connection. Only the first call has an effect.
func (tc *terminalConn) close(code int, reason string) {
	tc.closed.Do(func() {
		msg := websocket.FormatCloseMessage(code, sessions.Clip(reason, maxCloseReason))
		tc.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		tc.conn.Close()
	})
}
