package ratelimit

import (
	"context"
	"log/slog"
	"math"
	"sync"
	"time"
)

// Rate names a kind of token bucket: Burst tokens at most, and one more
// every Refill. Name keeps its keys apart from other rates' in a shared
// store.
type Rate struct {
	Name   string
	Burst  int
	Refill time.Duration
}

// wait returns how long a bucket holding tokens waits for one.
func (r Rate) wait(tokens float64) time.Duration {
	if tokens >= 1 {
		return 0
	}
	return time.Duration(math.Ceil((1 - tokens) * float64(r.Refill)))
}

// BucketStore keeps token buckets where every process sharing it sees them
// (Postgres: sessions/store). Each method is one atomic step on the bucket
// of r.Name and key as it stands at now, counting the refill since it was
// last written; a key without a bucket has a full one. Errors mean the store
// could not be reached or failed.
type BucketStore interface {
	// TakeToken takes one token if there is one, and returns whether it
	// did and the tokens left.
	TakeToken(ctx context.Context, r Rate, key string, now time.Time) (tokens float64, taken bool, err error)
	// ChargeToken takes one token even from an empty bucket, down to
	// minus r.Burst.
	ChargeToken(ctx context.Context, r Rate, key string, now time.Time) error
	// Tokens returns the tokens in the bucket, taking none.
	Tokens(ctx context.Context, r Rate, key string, now time.Time) (float64, error)
	// SweepTokens forgets r's buckets that have filled up again.
	SweepTokens(ctx context.Context, r Rate, now time.Time) error
}

// sweepShared is how often a Limiter sweeps its full buckets from the store.
const sweepShared = time.Minute

// Limiter is a token bucket by key, of one Rate, shared by every process
// on the same BucketStore, so that N processes behind a load balancer hold
// a key to the rate once, not N times. Without a store, or while the store
// does not answer, it counts in this process only (the limit then holds per
// process): it never lets everything through, and never fails a request
// because of the store. The time is passed in by the caller; processes
// sharing a store should keep their clocks in step (a bucket's time only
// moves forward, so a clock behind the others only makes it stricter).
type Limiter struct {
	rate  Rate
	store BucketStore // nil: this process only
	local *Buckets    // this process's count, used without the store
	fb    fallback

	mu        sync.Mutex
	lastSweep time.Time
}

// NewLimiter returns a limiter of rate r shared through st; a nil st keeps
// it in this process. log receives the store's failures (nil: the default
// logger).
func NewLimiter(r Rate, st BucketStore, log *slog.Logger) *Limiter {
	return &Limiter{rate: r, store: st, local: New(r.Burst, r.Refill), fb: fallback{what: r.Name, log: orDefault(log)}}
}

// Take takes one token from key's bucket. It returns 0 when there was one,
// and otherwise how long until there is.
func (l *Limiter) Take(ctx context.Context, key string, now time.Time) time.Duration {
	var tokens float64
	var taken bool
	if l.store != nil && l.fb.call(ctx, now, func(sctx context.Context) (err error) {
		tokens, taken, err = l.store.TakeToken(sctx, l.rate, key, now)
		return err
	}) {
		l.sweep(ctx, now)
		if taken {
			return 0
		}
		return l.rate.wait(tokens)
	}
	return l.local.Take(key, now)
}

// Wait returns how long until key's bucket has a token, without taking
// one: 0 when it has one now.
func (l *Limiter) Wait(ctx context.Context, key string, now time.Time) time.Duration {
	var tokens float64
	if l.store != nil && l.fb.call(ctx, now, func(sctx context.Context) (err error) {
		tokens, err = l.store.Tokens(sctx, l.rate, key, now)
		return err
	}) {
		return l.rate.wait(tokens)
	}
	return l.local.Wait(key, now)
}

// Charge takes one token from key's bucket even when it is empty: the
// bucket goes into debt, down to minus its burst (see Buckets.Charge).
func (l *Limiter) Charge(ctx context.Context, key string, now time.Time) {
	if l.store != nil && l.fb.call(ctx, now, func(sctx context.Context) error {
		return l.store.ChargeToken(sctx, l.rate, key, now)
	}) {
		l.sweep(ctx, now)
		return
	}
	l.local.Charge(key, now)
}

// sweep forgets the store's full buckets of this rate, at most once every
// sweepShared from this process, a failed sweep too: the buckets it left
// are only rows, and a request never pays for more than one sweep a
// minute.
func (l *Limiter) sweep(ctx context.Context, now time.Time) {
	l.mu.Lock()
	due := now.Sub(l.lastSweep) >= sweepShared
	if due {
		l.lastSweep = now
	}
	l.mu.Unlock()
	if !due {
		return
	}
	l.fb.call(ctx, now, func(sctx context.Context) error { return l.store.SweepTokens(sctx, l.rate, now) })
}
