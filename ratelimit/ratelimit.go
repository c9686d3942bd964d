// Package ratelimit is a set of token buckets by key: each key may do burst
// things at once, and one more every refill. Buckets that have filled up
// again are forgotten, so memory stays bounded by recent activity. The
// server limits client addresses and logins with it, the manager each
// session's checks. InFlight bounds what a key has under way at once (a
// session's terminals and file transfers). Counts live in one process.
package ratelimit

import (
	"math"
	"sync"
	"time"
)

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
