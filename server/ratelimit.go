package server

import (
	"math"
	"strings"
	"sync"
	"time"

	"github.com/labplay/playground/sessions"
)

// Limits on instructor login attempts, counted per client address and per
// email. Each is a bucket of burst attempts that refills one attempt every
// refill. The email limit is tighter: it is what stops a password being
// guessed from many addresses.
const (
	loginIPBurst     = 10
	loginIPRefill    = 6 * time.Second
	loginEmailBurst  = 5
	loginEmailRefill = time.Minute
)

// loginLimiter limits instructor login attempts. The counts live in this
// process: behind several processes the limits apply to each.
type loginLimiter struct {
	byIP    *limiter
	byEmail *limiter
	now     func() time.Time // the clock; tests stop it
}

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{
		byIP:    newLimiter(loginIPBurst, loginIPRefill),
		byEmail: newLimiter(loginEmailBurst, loginEmailRefill),
		now:     time.Now,
	}
}

// allow takes one attempt for the address and the email, or returns
// ERATELIMITED saying when to try again.
func (l *loginLimiter) allow(ip, email string) error {
	now := l.now()
	if wait := l.byIP.take(ip, now); wait > 0 {
		return tooMany(wait)
	}
	if wait := l.byEmail.take(strings.ToLower(strings.TrimSpace(email)), now); wait > 0 {
		return tooMany(wait)
	}
	return nil
}

func tooMany(wait time.Duration) error {
	return &sessions.Error{Code: sessions.ERATELIMITED, RetryAfter: wait.Round(time.Second) + time.Second,
		Message: "Too many login attempts; wait a little and try again."}
}

// limiter is a set of token buckets by key. Buckets that have filled up
// again are forgotten, so memory stays bounded by recent activity.
type limiter struct {
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

func newLimiter(burst int, refill time.Duration) *limiter {
	return &limiter{burst: float64(burst), refill: refill, buckets: map[string]*bucket{}}
}

// take takes one token from key's bucket. It returns 0 when there was one,
// and otherwise how long until there is.
func (l *limiter) take(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = l.level(b, now)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return time.Duration(math.Ceil((1 - b.tokens) * float64(l.refill)))
}

// level is the number of tokens in b at now.
func (l *limiter) level(b *bucket, now time.Time) float64 {
	elapsed := now.Sub(b.at)
	if elapsed < 0 {
		elapsed = 0
	}
	return math.Min(l.burst, b.tokens+float64(elapsed)/float64(l.refill))
}

// sweep drops full buckets, at most once a minute.
func (l *limiter) sweep(now time.Time) {
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
