// Package ctxtime is waiting that a context can cut short.
package ctxtime

import (
	"context"
	"time"
)

// Sleep waits for d, or less when ctx ends, and then returns ctx's error.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
