package agent

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/labplay/playground/internal/waitfor"
)

// bareTerminal is a terminal without a shell, for the output path alone.
func bareTerminal() *terminal {
	return &terminal{name: "t", ring: newRing(MinScrollback), clients: map[*client]struct{}{}, state: stateRunning}
}

// A client that may type holds the shell back once it is outputHighWater
// behind, and lets it go on once its writer has caught up.
func TestOutputWaitsForATypingClient(t *testing.T) {
	t.Parallel()
	term := bareTerminal()
	c := newClient(false, DefaultBacklog, nil)
	if err := term.attach(c); err != nil {
		t.Fatal(err)
	}
	c.next() // the replay
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	for range outputHighWater / len(chunk) {
		term.output(chunk) // up to the high water mark: no wait
	}
	blocked := make(chan struct{})
	go func() {
		term.output(chunk) // past it: waits
		close(blocked)
	}()
	select {
	case <-blocked:
		t.Fatal("output past the high water mark did not wait for the typing client")
	case <-time.After(100 * time.Millisecond):
	}
	frames, _, _ := c.next() // the writer takes the queue
	select {
	case <-blocked:
	case <-time.After(5 * time.Second):
		t.Fatal("output still waits after the client caught up")
	}
	got := 0
	for _, f := range frames {
		got += len(f.payload)
	}
	if got != outputHighWater+len(chunk) {
		t.Errorf("the writer took %d bytes, want every byte (%d): nothing is dropped for a typing client", got, outputHighWater+len(chunk))
	}
	// A client that leaves lets a waiting shell go too.
	for range outputHighWater/len(chunk) + 1 {
		c.push(FrameOutput, chunk)
	}
	c.mu.Lock()
	queued := c.queued
	c.mu.Unlock()
	done := make(chan struct{})
	go func() { term.output(chunk); close(done) }()
	waitfor.Until(t, "the shell's output queued for the client, and waiting", deadline, func() error {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.queued == queued {
			return fmt.Errorf("%d bytes queued, as before the output", c.queued)
		}
		return nil
	})
	c.close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("output waits for a client that left")
	}
}

// Watchers never hold the shell back: one that lags skips ahead to the
// present with a marker, its replay kept, and stays attached.
func TestWatcherSkipsAhead(t *testing.T) {
	t.Parallel()
	term := bareTerminal()
	term.output([]byte("scrollback-before\r\n"))
	w := newClient(true, DefaultBacklog, nil)
	if err := term.attach(w); err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("y"), 32<<10)
	done := make(chan struct{})
	go func() {
		for range 4 * watcherBacklog / len(chunk) {
			term.output(chunk)
		}
		term.output([]byte("the-end"))
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a watcher that never reads held the shell back")
	}
	w.mu.Lock()
	queued, skipped := w.queued, w.skipped
	w.mu.Unlock()
	if queued > watcherBacklog+len(skippedMarker)+len(chunk) || skipped == 0 {
		t.Fatalf("watcher: %d bytes queued, %d skipped", queued, skipped)
	}
	frames, _, end := w.next()
	var all []byte
	for _, f := range frames {
		if f.typ == FrameOutput {
			all = append(all, f.payload...)
		}
	}
	if end || !bytes.Contains(all, []byte("scrollback-before")) || !bytes.Contains(all, skippedMarker) || !bytes.HasSuffix(all, []byte("the-end")) {
		t.Fatalf("watcher saw %d bytes (ended %v): want the replay, the marker and the end", len(all), end)
	}
	if _, ok := term.clients[w]; !ok {
		t.Fatal("the lagging watcher was dropped")
	}
}

// With nobody attached, or only watchers, the shell is never held back.
func TestOutputAloneNeverWaits(t *testing.T) {
	t.Parallel()
	term := bareTerminal()
	done := make(chan struct{})
	go func() {
		chunk := bytes.Repeat([]byte("z"), 32<<10)
		for range 200 {
			term.output(chunk)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("output with nobody attached waited")
	}
}
