// Package ratelimit bounds how often a key may do something and how many
// things it may have under way at once. Buckets are token buckets by key,
// in this process: each key may do burst things at once, and one more
// every refill; buckets that have filled up again are forgotten, so memory
// stays bounded by recent activity. InFlight bounds what a key has under
// way at once, in this process.
//
// Limiter (token buckets) and Cap (things under way) are the same limits
// shared by every server process on one Store (Postgres, through
// sessions/store), so that N processes behind a load balancer do not allow
// N times as much. While the store does not answer they fall back to
// Buckets and InFlight: the limits then hold per process, and no request
// fails because of the store. The server limits client addresses, logins
// and each session's terminals with them, the manager each session's
// checks and file transfers.
package ratelimit

import (
	"math"
	"sync"
	"time"
)

// Store is where Limiters and Caps are shared between processes.
type Store interface {
	BucketStore
	LeaseStore
}

// Buckets are token buckets by key. The zero value is not usable; call New.
type Buckets struct {
	burst  float64
	refill time.Duration

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// New returns buckets of burst tokens that refill one every refill.
func New(burst int, refill time.Duration) *Buckets {
	return &Buckets{burst: float64(burst), refill: refill, buckets: map[string]*bucket{}}
}

// Take takes one token from key's bucket. It returns 0 when there was one,
// and otherwise how long until there is.
func (l *Buckets) Take(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketAt(key, now)
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return time.Duration(math.Ceil((1 - b.tokens) * float64(l.refill)))
}

// Wait returns how long until key's bucket has a token, without taking
// one: 0 when it has one now.
func (l *Buckets) Wait(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		return 0
	}
	if t := l.level(b, now); t < 1 {
		return time.Duration(math.Ceil((1 - t) * float64(l.refill)))
	}
	return 0
}

// Charge takes one token from key's bucket even when it is empty: the
// bucket goes into debt, down to minus its burst, and the key waits that
// much longer. It is for outcomes counted after the fact (a wrong guess),
// so that requests sent all at once cannot pass together unpaid.
func (l *Buckets) Charge(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketAt(key, now)
	b.tokens = math.Max(b.tokens-1, -l.burst)
}

// Give puts back one token taken from key's bucket.
func (l *Buckets) Give(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.buckets[key]; b != nil {
		b.tokens = math.Min(l.burst, b.tokens+1)
	}
}

// Len returns how many buckets are remembered.
func (l *Buckets) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// bucketAt returns key's bucket, made full when new, with its tokens
// brought up to now; the caller holds l.mu.
func (l *Buckets) bucketAt(key string, now time.Time) *bucket {
	l.sweep(now)
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = l.level(b, now)
	b.at = now
	return b
}

// level is the number of tokens in b at now.
func (l *Buckets) level(b *bucket, now time.Time) float64 {
	elapsed := max(now.Sub(b.at), 0)
	return math.Min(l.burst, b.tokens+float64(elapsed)/float64(l.refill))
}

// sweep drops full buckets, at most once a minute.
func (l *Buckets) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < time.Minute {
		return
	}
	l.lastSweep = now
	for k, b := range l.buckets {
		if l.level(b, now) >= l.burst {
			delete(l.buckets, k)
		}
	}
}
