package waitfor

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// recorder is a testing.TB that keeps what Fatalf was given instead of
// stopping (Until returns right after it).
type recorder struct {
	testing.TB
	fatal string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) { r.fatal = fmt.Sprintf(format, args...) }

// A condition that comes true after a few tries ends the wait at once, with
// no failure.
func TestUntilReturnsOnceTheConditionHolds(t *testing.T) {
	t.Parallel()
	r := &recorder{TB: t}
	tries := 0
	start := time.Now()
	Until(r, "the third try", time.Minute, func() error {
		tries++
		if tries < 3 {
			return fmt.Errorf("try %d", tries)
		}
		return nil
	})
	if r.fatal != "" || tries != 3 {
		t.Fatalf("after %d tries: failure %q; want 3 tries and no failure", tries, r.fatal)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("three quick tries took %v", took)
	}
}

// On time out the failure names what was awaited and the last error seen.
func TestUntilReportsWhatAndTheLastState(t *testing.T) {
	t.Parallel()
	r := &recorder{TB: t}
	tries := 0
	Until(r, "the answer", 100*time.Millisecond, func() error {
		tries++
		return fmt.Errorf("still %d", tries)
	})
	want := fmt.Sprintf("still %d", tries)
	if !strings.HasPrefix(r.fatal, "waiting for the answer: ") || !strings.HasSuffix(r.fatal, want) {
		t.Errorf("failure %q; want it to name the answer and end with the last state %q", r.fatal, want)
	}
	if tries < 2 {
		t.Errorf("%d tries in 100 ms; want it asked again", tries)
	}
}

// Every pauses as long as it is told between tries.
func TestEveryKeepsItsPause(t *testing.T) {
	t.Parallel()
	r := &recorder{TB: t}
	var at []time.Time
	Every(r, 50*time.Millisecond, "four tries", time.Minute, func() error {
		at = append(at, time.Now())
		if len(at) < 4 {
			return errors.New("not yet")
		}
		return nil
	})
	if r.fatal != "" {
		t.Fatal(r.fatal)
	}
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < 50*time.Millisecond {
			t.Errorf("try %d came %v after the one before, want at least 50ms", i+1, gap)
		}
	}
}

// Poll's error is a timeout that wraps the condition's last error.
func TestPollWrapsTheLastError(t *testing.T) {
	t.Parallel()
	last := errors.New("the last state")
	err := Poll(30*time.Millisecond, func() error { return last })
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, last) {
		t.Fatalf("Poll = %v; want a timeout wrapping the condition's error", err)
	}
	if err := Poll(time.Minute, func() error { return nil }); err != nil {
		t.Fatalf("Poll of a true condition = %v", err)
	}
}
