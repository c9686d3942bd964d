package agent

import (
	"encoding/json"
	"sync"

	"github.com/labplay/playground/fault"
)

// DefaultBacklog is how many bytes of live output may wait for one client
// before the client is disconnected as broken. Flow control keeps queues far
// below it: a typing client holds the shell back at outputHighWater, and a
// watcher skips ahead at watcherBacklog.
const DefaultBacklog = 4 << 20

// Flow control of a terminal's output, per client.
const (
	// outputHighWater: when this much output waits for a client that may
	// type, the agent stops reading the shell's pty until the client is
	// down to outputLowWater, so the program printing blocks, as it would
	// over SSH, instead of filling queues the learner would wait for (a
	// Ctrl-C then shows its prompt at once). Small against the 32 KiB of
	// a pty read, large enough to keep a fast client busy.
	outputHighWater = 64 << 10
	outputLowWater  = 16 << 10
	// watcherBacklog: a read-only watcher (the instructor's view) never
	// holds the shell back; when this much waits for it, what waits is
	// dropped for a one-line marker, and the view goes on from the present.
	watcherBacklog = 1 << 20
)

// skippedMarker replaces the output a lagging watcher skipped.
var skippedMarker = []byte("\r\n\x1b[7m[output skipped: this view fell behind]\x1b[0m\r\n")

// frame is one frame waiting to be written to a client.
type frame struct {
	typ     byte
	payload []byte
}

// client is one attachment to a terminal: a bounded queue of frames that the
// connection's writer drains. Pushing never blocks; a client whose queue
// outgrows its limit is failed instead, so a slow reader cannot hold up the
// shell or the other clients.
type client struct {
	readOnly bool
	// kick is called once when the queue ends, to bound the writer's last
	// writes (the server sets a write deadline on the connection).
	kick func()

	mu     sync.Mutex
	frames []frame
	queued int // payload bytes in frames
	limit  int
	ended  bool          // no frame is accepted any more
	final  *ErrorMessage // sent after the queue when set
	wake   chan struct{} // capacity 1: something changed
	// live is the index in frames from which output frames may be skipped
	// (after the replay); drained is signalled when the writer takes the
	// queue.
	live    int
	drained chan struct{}
	skipped int // bytes a watcher skipped, for the log
}

// newClient returns a client with an empty queue that holds up to limit
// bytes.
func newClient(readOnly bool, limit int, kick func()) *client {
	if kick == nil {
		kick = func() {}
	}
	return &client{readOnly: readOnly, limit: limit, kick: kick, wake: make(chan struct{}, 1), drained: make(chan struct{}, 1)}
}

// push queues a frame. It reports false when the client has ended, or has
// just been failed for falling too far behind; the caller drops it then.
func (c *client) push(typ byte, payload []byte) bool {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return false
	}
	if c.readOnly && typ == FrameOutput && c.queued+len(payload) > watcherBacklog {
		c.skipLocked()
	}
	if c.queued+len(payload) > c.limit {
		c.endLocked(errorMessage(fault.Errorf(fault.ETOOLARGE,
			"The terminal connection fell too far behind and was closed."), true), true)
		c.mu.Unlock()
		c.kick()
		return false
	}
	c.frames = append(c.frames, frame{typ, payload})
	c.queued += len(payload)
	c.mu.Unlock()
	c.signal()
	return true
}

// skipLocked drops the live output frames waiting for a watcher and queues
// the marker in their place; the caller holds c.mu.
func (c *client) skipLocked() {
	kept := c.frames[:c.live]
	dropped := 0
	for _, f := range c.frames[c.live:] {
		if f.typ == FrameOutput {
			dropped += len(f.payload)
			continue
		}
		kept = append(kept, f)
	}
	c.frames = append(kept, frame{FrameOutput, skippedMarker})
	c.queued += len(skippedMarker) - dropped
	c.skipped += dropped
}

// markLive records that the frames queued so far (the replay) are never
// skipped; later output may be.
func (c *client) markLive() {
	c.mu.Lock()
	c.live = len(c.frames)
	c.mu.Unlock()
}

// behind reports whether a client that may type has over outputHighWater
// bytes waiting.
func (c *client) behind() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.readOnly && !c.ended && c.queued > outputHighWater
}

// waitDrained blocks until the client has at most outputLowWater bytes
// waiting, or has ended.
func (c *client) waitDrained() {
	for {
		c.mu.Lock()
		ok := c.ended || c.queued <= outputLowWater
		c.mu.Unlock()
		if ok {
			return
		}
		<-c.drained
	}
}

// pushJSON queues a frame with v encoded as JSON.
func (c *client) pushJSON(typ byte, v any) bool {
	b, err := json.Marshal(v)
	if err != nil {
		return false // the protocol's types always encode
	}
	return c.push(typ, b)
}

// pushError queues a non-fatal error frame for err.
func (c *client) pushError(err error) bool {
	return c.pushJSON(FrameError, errorMessage(err, false))
}

// fail ends the queue after the frames already in it with a fatal error
// frame for err.
func (c *client) fail(err error) {
	c.mu.Lock()
	if !c.ended {
		c.endLocked(errorMessage(err, true), false)
	}
	c.mu.Unlock()
	c.kick()
}

// close ends the queue after the frames already in it.
func (c *client) close() {
	c.mu.Lock()
	if !c.ended {
		c.endLocked(nil, false)
	}
	c.mu.Unlock()
	c.kick()
}

// endLocked marks the queue ended; drop discards the frames not yet taken.
func (c *client) endLocked(final *ErrorMessage, drop bool) {
	c.ended, c.final = true, final
	if drop {
		c.frames, c.queued = nil, 0
	}
	c.signal()
	c.signalDrained()
}

// signalDrained wakes a shell waiting for this client, without blocking.
func (c *client) signalDrained() {
	select {
	case c.drained <- struct{}{}:
	default:
	}
}

// signal wakes the writer without blocking.
func (c *client) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// next blocks until frames are queued or the queue has ended, and takes
// them. When end is true the writer sends final (if set) after frames and
// stops.
func (c *client) next() (frames []frame, final *ErrorMessage, end bool) {
	for {
		c.mu.Lock()
		if len(c.frames) > 0 || c.ended {
			frames, c.frames, c.queued, c.live = c.frames, nil, 0, 0
			end, final = c.ended, c.final
			c.mu.Unlock()
			c.signalDrained()
			return frames, final, end
		}
		c.mu.Unlock()
		<-c.wake
	}
}

// errorMessage turns err into the payload of an error frame, with a message
// safe to show to users.
func errorMessage(err error, fatal bool) *ErrorMessage {
	return &ErrorMessage{
		Message: fault.ErrorMessage(err),
		Fatal:   fatal,
		Code:    string(fault.ErrorCode(err)),
	}
}
