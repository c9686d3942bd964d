package server

import (
	"testing"
	"time"
)

// reserved reports whether reserve(n) returns within a moment. The moment
// is a timer, not a wait for an event: what some callers check is that
// reserve does not return, and nothing signals that. For the same reason
// these tests are not parallel: a busy CPU could outlast the moment.
func reserved(w *window, n int) bool {
	done := make(chan struct{})
	go func() { w.reserve(n); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(100 * time.Millisecond):
		return false
	}
}

func TestWindowPausesAndResumes(t *testing.T) {
	w := newWindow()
	w.reserve(1000)
	w.ack(1000) // the client acknowledges: flow control is on
	for range outputWindow / (64 << 10) {
		if !reserved(w, 64<<10) {
			t.Fatal("output within the window waited")
		}
	}
	// The window is full: the next reserve waits for an acknowledgement
	// (a tenth of a second without it returning stands for "waits").
	done := make(chan struct{})
	go func() { w.reserve(64 << 10); close(done) }()
	select {
	case <-done:
		t.Fatal("output past the window did not wait")
	case <-time.After(100 * time.Millisecond):
	}
	w.ack(1000 + 128<<10)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("an acknowledgement did not resume output")
	}
	// Nonsense counts change nothing.
	w.ack(10)
	w.ack(1 << 40)
	w.mu.Lock()
	acked := w.acked
	w.mu.Unlock()
	if acked != 1000+128<<10 {
		t.Fatalf("acked = %d after bad counts", acked)
	}
	// Closing lets a waiting writer go.
	for reserved(w, 64<<10) {
	}
	w.close()
	if !reserved(w, 1) {
		t.Fatal("reserve waits after close")
	}
}

// A client that never acknowledges is never held by the window: TCP paces
// it.
func TestWindowWithoutAcknowledgements(t *testing.T) {
	w := newWindow()
	for range 100 {
		if !reserved(w, 64<<10) {
			t.Fatal("a client that never acknowledges was held by the window")
		}
	}
}
