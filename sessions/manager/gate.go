package manager

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/ratelimit"
)

// Work a learner sets off on their nodes (checks, values, node restarts)
// goes through the session's gate: one piece at a time per session, and a
// bounded rate, so that a flood of requests for one session neither piles
// execs onto its nodes nor takes the server's time from other sessions.
const (
	// gateBurst and gateRefill are the per-session rate: a bucket of
	// gateBurst requests that refills one every gateRefill. The page asks
	// at most one check every few seconds.
	gateBurst  = 20
	gateRefill = 2 * time.Second
	// gateWait bounds how long a request waits for the one before it.
	gateWait = 2 * time.Minute
)

// gateRate is the per-session rate, named in the shared store.
var gateRate = ratelimit.Rate{Name: "session_steps", Burst: gateBurst, Refill: gateRefill}

// gates holds each session's slot, and the rate of all of them. The slots
// are this process's (a session's requests reaching two processes may run
// one in each); the rate counts over every process sharing the store.
type gates struct {
	mu    sync.Mutex
	slots map[string]*slot
	rate  *ratelimit.Limiter
	now   func() time.Time
}

// slot lets one piece of a session's work run at a time.
type slot struct {
	ch    chan struct{} // holds a token while work runs
	users int           // requests holding or waiting for it
}

// newGates returns the gates, their rate shared through st (nil: this
// process only).
func newGates(st ratelimit.BucketStore, log *slog.Logger) *gates {
	return &gates{slots: map[string]*slot{}, rate: ratelimit.NewLimiter(gateRate, st, log), now: time.Now}
}

// enter waits for the session's slot and returns the function that leaves
// it. A session over its rate is ERATELIMITED at once; a request that waits
// longer than gateWait, or whose ctx ends, gives up.
func (g *gates) enter(ctx context.Context, sessionID string) (leave func(), err error) {
	if wait := g.rate.Take(ctx, sessionID, g.now()); wait > 0 {
		return nil, &fault.Error{Code: fault.ERATELIMITED, RetryAfter: wait.Round(time.Second) + time.Second,
			Message: "Too many checks and steps in a row for this session; wait a moment."}
	}
	g.mu.Lock()
	sl := g.slots[sessionID]
	if sl == nil {
		sl = &slot{ch: make(chan struct{}, 1)}
		g.slots[sessionID] = sl
	}
	sl.users++
	g.mu.Unlock()
	done := func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		// The slot goes with its last user; the rate stays in g.rate.
		if sl.users--; sl.users == 0 {
			delete(g.slots, sessionID)
		}
	}
	timer := time.NewTimer(gateWait)
	defer timer.Stop()
	select {
	case sl.ch <- struct{}{}:
		return func() { <-sl.ch; done() }, nil
	case <-ctx.Done():
		done()
		return nil, fault.Wrap(fault.EUNAVAILABLE, ctx.Err(), "The request ended while it waited for an earlier step.")
	case <-timer.C:
		done()
		return nil, fault.Errorf(fault.EUNAVAILABLE, "The session is still busy with an earlier step; try again.")
	}
}
