package client

import (
	"bytes"
	"context"
	"fmt"
	"time"
)

// WaitInfo waits until the server has reported the shell's process id.
func (t *Terminal) WaitInfo(timeout time.Duration) error {
	return t.WaitFor(timeout, func(t *Terminal) bool { return t.pid != 0 })
}

// WaitClosed waits until the connection ends and returns the error that
// ended it (a *websocket.CloseError when the server closed it properly).
func (t *Terminal) WaitClosed(timeout time.Duration) error {
	err := t.WaitFor(timeout, func(*Terminal) bool { return false })
	if closed := t.Closed(); closed != nil {
		return closed
	}
	return fmt.Errorf("the terminal is still open: %w", err)
}

// WaitNotices waits until the server has sent at least n error notices.
func (t *Terminal) WaitNotices(n int, timeout time.Duration) error {
	return t.WaitFor(timeout, func(t *Terminal) bool { return len(t.notices) >= n })
}

// WaitContext waits until cond, called under the terminal's lock, holds,
// the connection ends (an error) or ctx ends (its error).
func (t *Terminal) WaitContext(ctx context.Context, cond func(t *Terminal) bool) error {
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
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Len returns how many bytes of output have been received since the last
// replay started: a position to give OutputFrom or WaitOutputAfter.
func (t *Terminal) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.output.Len()
}

// WaitOutputAfterContext waits until the output after its first n bytes
// contains s, the connection ends or ctx ends.
func (t *Terminal) WaitOutputAfterContext(ctx context.Context, n int, s string) error {
	return t.WaitContext(ctx, func(t *Terminal) bool {
		b := t.output.Bytes()
		return n <= len(b) && bytes.Contains(b[n:], []byte(s))
	})
}
