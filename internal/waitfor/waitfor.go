// Package waitfor lets a test wait for a condition that another process, a
// goroutine or a browser makes true in its own time: it asks again and again
// until the condition holds or a timeout passes, and then says what it
// waited for and what it saw last. It replaces the hand-made deadline loops
// and the sleeps that stood in for synchronisation.
//
// A condition is a function that returns nil once it holds, or an error that
// says why not yet ("status 503", "the terminal shows: ..."): that error is
// what a failure reports, so it should carry the state a reader needs. A
// condition may also fail the test itself (t.Fatal) when waiting longer is
// pointless, such as a server that exited.
package waitfor

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// firstPause and maxPause bound the pause between two tries of Until: it
// starts short, so that a condition true a moment later is seen at once, and
// doubles up to maxPause, so that a slow one is not asked hundreds of times.
const (
	firstPause = 10 * time.Millisecond
	maxPause   = 250 * time.Millisecond
)

// Until calls cond until it returns nil. When timeout passes first, it fails
// the test with what (a phrase: "the server to answer /healthz"), the
// timeout, and the last error cond returned.
func Until(t testing.TB, what string, timeout time.Duration, cond func() error) {
	t.Helper()
	if err := poll(timeout, 0, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// Every is Until with a fixed pause between tries, for a condition that costs
// the system under test something each time it is asked (a check that is
// rate-limited, a command typed into a shell).
func Every(t testing.TB, pause time.Duration, what string, timeout time.Duration, cond func() error) {
	t.Helper()
	if err := poll(timeout, pause, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// Poll calls cond, pausing as Until does, until it returns nil, and returns
// nil; when timeout passes first, it returns an error that wraps cond's last
// one. It is for a wait whose failure the caller reports in its own way (a
// goroutine, which must not call t.Fatal, or a test that goes on after).
func Poll(timeout time.Duration, cond func() error) error {
	return poll(timeout, 0, cond)
}

// poll is the loop of them all; a pause of 0 means the doubling one.
func poll(timeout, pause time.Duration, cond func() error) error {
	deadline := time.Now().Add(timeout)
	next := firstPause
	if pause > 0 {
		next = pause
	}
	for {
		err := cond()
		if err == nil {
			return nil
		}
		if !time.Now().Add(next).Before(deadline) {
			// One last try at the deadline itself, so that a pause never
			// costs the condition its last chance.
			time.Sleep(time.Until(deadline))
			if err = cond(); err == nil {
				return nil
			}
			return &timeoutError{timeout: timeout, last: err}
		}
		time.Sleep(next)
		if pause == 0 {
			next = min(2*next, maxPause)
		}
	}
}

// ErrTimeout is what an error of Poll is, besides its condition's last error.
var ErrTimeout = errors.New("timed out")

// timeoutError is a timeout with the condition's last error.
type timeoutError struct {
	timeout time.Duration
	last    error
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("not within %v; last: %v", e.timeout, e.last)
}

// Is makes errors.Is(err, ErrTimeout) true.
func (e *timeoutError) Is(target error) bool { return target == ErrTimeout }

// Unwrap returns the condition's last error.
func (e *timeoutError) Unwrap() error { return e.last }
