package server

import "sync"

// Flow control towards the browser. A page acknowledges, with message '3'
// and the decimal count of output bytes its terminal has processed (xterm's
// write callback), what it has shown; the server then keeps at most
// outputWindow bytes sent but not yet acknowledged, and stops reading the
// node's output while the window is full. The pressure travels back through
// the relay to the agent, which stops reading the shell's pty (agent
// outputHighWater), so the program printing waits and nothing stale piles
// up between the shell and the screen: a Ctrl-C shows its prompt at once. A
// client that never acknowledges (a script, an older page) is paced by the
// websocket's own TCP flow control instead.
const outputWindow = 128 << 10

// window counts a connection's output sent and acknowledged.
type window struct {
	mu     sync.Mutex
	cond   *sync.Cond
	sent   int64
	acked  int64
	on     bool // the client acknowledges
	closed bool
}

func newWindow() *window {
	w := &window{}
	w.cond = sync.NewCond(&w.mu)
	return w
}

// reserve waits until n more bytes fit in the window (at once while the
// client has never acknowledged, or once closed), then counts them sent.
func (w *window) reserve(n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.on && !w.closed && w.sent-w.acked >= outputWindow {
		w.cond.Wait()
	}
	w.sent += int64(n)
}

// ack records that the client has processed total bytes in all; it turns
// flow control on. A count that goes backwards, or past what was sent, is
// ignored.
func (w *window) ack(total int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if total < w.acked || total > w.sent {
		return
	}
	w.acked, w.on = total, true
	w.cond.Broadcast()
}

// close lets every waiting reserve go.
func (w *window) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.cond.Broadcast()
}
