package manager

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/labplay/playground/sessions"
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

// gates holds a gate per session that has work in flight or recently had.
type gates struct {
	mu        sync.Mutex
	bySID     map[string]*gate
	now       func() time.Time
	lastSweep time.Time
}

// gate is one session's slot and rate bucket.
type gate struct {
	slot   chan struct{} // holds a token while work runs
	tokens float64
	at     time.Time
	users  int // requests holding or waiting for the slot
}

func newGates() *gates { return &gates{bySID: map[string]*gate{}, now: time.Now} }

// enter waits for the session's slot and returns the function that leaves
// it. A session over its rate is ERATELIMITED at once; a request that waits
// longer than gateWait, or whose ctx ends, gives up.
func (g *gates) enter(ctx context.Context, sessionID string) (leave func(), err error) {
	g.mu.Lock()
	now := g.now()
	g.sweep(now)
	gt := g.bySID[sessionID]
	if gt == nil {
		gt = &gate{slot: make(chan struct{}, 1), tokens: gateBurst, at: now}
		g.bySID[sessionID] = gt
	}
	gt.tokens = gt.level(now)
	gt.at = now
	if gt.tokens < 1 {
		wait := time.Duration(math.Ceil((1 - gt.tokens) * float64(gateRefill)))
		g.mu.Unlock()
		return nil, &sessions.Error{Code: sessions.ERATELIMITED, RetryAfter: wait.Round(time.Second) + time.Second,
			Message: "Too many checks and steps in a row for this session; wait a moment."}
	}
	gt.tokens--
	gt.users++
	g.mu.Unlock()

	done := func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		gt.users--
	}
	timer := time.NewTimer(gateWait)
	defer timer.Stop()
	select {
	case gt.slot <- struct{}{}:
		return func() { <-gt.slot; done() }, nil
	case <-ctx.Done():
		done()
		return nil, sessions.Wrap(sessions.EUNAVAILABLE, ctx.Err(), "The request ended while it waited for an earlier step.")
	case <-timer.C:
		done()
		return nil, sessions.Errorf(sessions.EUNAVAILABLE, "The session is still busy with an earlier step; try again.")
	}
}

// level is the gate's bucket at now.
func (gt *gate) level(now time.Time) float64 {
	return math.Min(gateBurst, gt.tokens+float64(max(now.Sub(gt.at), 0))/float64(gateRefill))
}

// sweep forgets, at most once a minute, the gates nobody uses whose bucket
// has filled up again: they would be made anew just the same.
func (g *gates) sweep(now time.Time) {
	if now.Sub(g.lastSweep) < time.Minute {
		return
	}
	g.lastSweep = now
	for id, gt := range g.bySID {
		if gt.users == 0 && gt.level(now) >= gateBurst {
			delete(g.bySID, id)
		}
	}
}
