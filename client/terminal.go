package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Terminal is one websocket to a node's terminal.
type Terminal struct {
	Conn *websocket.Conn

	mu       sync.Mutex
	output   bytes.Buffer // everything received since the last replay-start
	pid      int
	readonly bool
	replayed bool
	notices  []string
	closeErr error
	changed  chan struct{} // closed and replaced whenever state changes
}

// Terminal opens the terminal websocket of a node. Origin is set like a page
// of the site would set it.
func (c *Client) Terminal(ctx context.Context, sessionID, node string) (*Terminal, error) {
	url := "ws" + strings.TrimPrefix(c.Base, "http") + "/api/sessions/" + sessionID + "/nodes/" + node + "/terminal"
	d := websocket.Dialer{Jar: c.HTTP.Jar, HandshakeTimeout: 30 * time.Second}
	h := http.Header{"Origin": {c.Base}}
	conn, resp, err := d.DialContext(ctx, url, h)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("terminal %s: HTTP %d: %w", node, resp.StatusCode, err)
		}
		return nil, err
	}
	t := &Terminal{Conn: conn, changed: make(chan struct{})}
	go t.read()
	return t, nil
}

// read collects messages until the connection ends.
func (t *Terminal) read() {
	for {
		_, msg, err := t.Conn.ReadMessage()
		t.mu.Lock()
		if err != nil {
			t.closeErr = err
			t.notify()
			t.mu.Unlock()
			return
		}
		if len(msg) > 0 {
			switch msg[0] {
			case '0':
				t.output.Write(msg[1:])
			case '2':
				var m struct {
					Type     string `json:"type"`
					PID      int    `json:"pid"`
					ReadOnly bool   `json:"readonly"`
					Message  string `json:"message"`
				}
				json.Unmarshal(msg[1:], &m)
				switch m.Type {
				case "info":
					t.pid, t.readonly = m.PID, m.ReadOnly
				case "replay-start":
					t.output.Reset()
					t.replayed = false
				case "replay-end":
					t.replayed = true
				case "error":
					t.notices = append(t.notices, m.Message)
				}
			}
		}
		t.notify()
		t.mu.Unlock()
	}
}

// notify wakes waiters; the caller holds t.mu.
func (t *Terminal) notify() {
	close(t.changed)
	t.changed = make(chan struct{})
}

// WaitFor waits until cond, called under the terminal's lock, holds, the
// connection ends, or the timeout passes.
func (t *Terminal) WaitFor(timeout time.Duration, cond func(t *Terminal) bool) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		t.mu.Lock()
		ok, closed, ch := cond(t), t.closeErr, t.changed
		t.mu.Unlock()
		if ok {
			return nil
		}
		if closed != nil {
			return fmt.Errorf("terminal closed: %w", closed)
		}
		select {
		case <-ch:
		case <-deadline.C:
			return fmt.Errorf("timed out after %s", timeout)
		}
	}
}

// WaitOutput waits until the output received so far contains s.
func (t *Terminal) WaitOutput(s string, timeout time.Duration) error {
	err := t.WaitFor(timeout, func(t *Terminal) bool { return bytes.Contains(t.output.Bytes(), []byte(s)) })
	if err != nil {
		return fmt.Errorf("waiting for %q: %w; got %q", s, err, tail(t.Output(), 400))
	}
	return nil
}

// WaitReplayed waits until the replayed scrollback has been received.
func (t *Terminal) WaitReplayed(timeout time.Duration) error {
	return t.WaitFor(timeout, func(t *Terminal) bool { return t.replayed })
}

// Send types input into the terminal.
func (t *Terminal) Send(input string) error {
	return t.SendBytes([]byte(input))
}

// SendBytes sends raw input bytes.
func (t *Terminal) SendBytes(b []byte) error {
	return t.Conn.WriteMessage(websocket.BinaryMessage, append([]byte{'0'}, b...))
}

// Resize sends a terminal size.
func (t *Terminal) Resize(cols, rows int) error {
	b, _ := json.Marshal(map[string]int{"cols": cols, "rows": rows})
	return t.Conn.WriteMessage(websocket.BinaryMessage, append([]byte{'1'}, b...))
}

// Output returns everything received since the last replay started.
func (t *Terminal) Output() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.output.String()
}

// PID returns the shell's process id as the server last reported it.
func (t *Terminal) PID() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pid
}

// ReadOnly reports whether the server says this attachment cannot type.
func (t *Terminal) ReadOnly() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.readonly
}

// Notices returns the error notices the server has sent.
func (t *Terminal) Notices() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.notices...)
}

// Closed returns the error that ended the connection, or nil while it is open.
func (t *Terminal) Closed() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.closeErr
}

// Close closes the websocket.
func (t *Terminal) Close() error { return t.Conn.Close() }

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// OutputFrom returns the output received after the first n bytes.
func (t *Terminal) OutputFrom(n int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.output.Bytes()
	if n > len(b) {
		return ""
	}
	return string(b[n:])
}

// WaitOutputAfter waits until the output after its first n bytes contains s.
func (t *Terminal) WaitOutputAfter(n int, s string, timeout time.Duration) error {
	return t.WaitFor(timeout, func(t *Terminal) bool {
		b := t.output.Bytes()
		return n <= len(b) && bytes.Contains(b[n:], []byte(s))
	})
}
