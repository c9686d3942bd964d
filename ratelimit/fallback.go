package ratelimit

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Each call to a shared store is bounded, and after a failure the store is
// left alone for a while: a database that has gone away costs a request at
// most storeTimeout, once every retryShared, and never the request itself.
const (
	storeTimeout = 2 * time.Second
	retryShared  = 5 * time.Second
)

// fallback remembers whether the shared store of a Limiter or a Cap
// answers. While it does not, they count in this process only; the switch
// is logged once each way.
type fallback struct {
	what string // the limit's name, for the log
	log  *slog.Logger

	mu      sync.Mutex
	down    bool
	retryAt time.Time
}

// skip reports whether the store failed lately, so that this call should
// not wait for it.
func (f *fallback) skip(now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.down && now.Before(f.retryAt)
}

// call runs fn, one call to the store bounded by storeTimeout, unless the
// store failed lately, records how it went and reports whether it
// answered. ctx is the caller's: fn's own deadline running out is the
// store's fault, the caller going away is not.
func (f *fallback) call(ctx context.Context, now time.Time, fn func(context.Context) error) bool {
	if f.skip(now) {
		return false
	}
	sctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	err := fn(sctx)
	f.result(ctx, now, err)
	return err == nil
}

// result records how a call to the store went. An error because the
// caller's ctx ended says nothing of the store and is not counted.
func (f *fallback) result(ctx context.Context, now time.Time, err error) {
	if err != nil && ctx.Err() != nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case err != nil && !f.down:
		f.log.Warn("the database does not answer: this limit counts in this process only until it does",
			"limit", f.what, "err", err)
		f.down = true
		f.retryAt = now.Add(retryShared)
	case err != nil:
		f.retryAt = now.Add(retryShared)
	case f.down:
		f.log.Info("the database answers again: this limit is shared again", "limit", f.what)
		f.down = false
	}
}

// orDefault returns log, or the default logger when it is nil.
func orDefault(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.Default()
	}
	return log
}
