package client

import (
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
