package agent

import "unicode/utf8"

// Scrollback sizes.
const (
	// DefaultScrollback is the scrollback a terminal keeps unless told otherwise.
	DefaultScrollback = 512 << 10
	// MinScrollback is the smallest scrollback the agent accepts.
	MinScrollback = 256 << 10
)

// ring keeps the last Size bytes written to it. It is not safe for
// concurrent use; the terminal guards it with its own lock.
type ring struct {
	buf  []byte
	next int  // where the next byte goes
	full bool // buf has wrapped at least once
}

// newRing returns an empty ring that keeps the last size bytes.
func newRing(size int) *ring {
	if size < 1 {
		size = 1
	}
	return &ring{buf: make([]byte, size)}
}

// Len returns the number of bytes the ring holds.
func (r *ring) Len() int {
	if r.full {
		return len(r.buf)
	}
	return r.next
}

// Write appends p, dropping the oldest bytes when the ring is full. It never
// fails.
func (r *ring) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) >= len(r.buf) {
		copy(r.buf, p[len(p)-len(r.buf):])
		r.next, r.full = 0, true
		return n, nil
	}
	c := copy(r.buf[r.next:], p)
	if c < len(p) {
		copy(r.buf, p[c:])
		r.full = true
	}
	r.next = (r.next + len(p)) % len(r.buf)
	if r.next == 0 && len(p) > 0 {
		r.full = true
	}
	return n, nil
}

// Bytes returns a copy of the held bytes, oldest first. Once the ring has
// wrapped, leading UTF-8 continuation bytes (the tail of a character whose
// start was dropped) are left out, so a replay never begins mid-character.
func (r *ring) Bytes() []byte {
	if !r.full {
		return append([]byte(nil), r.buf[:r.next]...)
	}
	out := make([]byte, 0, len(r.buf))
	out = append(out, r.buf[r.next:]...)
	out = append(out, r.buf[:r.next]...)
	skip := 0
	for skip < len(out) && skip < utf8.UTFMax-1 && !utf8.RuneStart(out[skip]) {
		skip++
	}
	return out[skip:]
}
