package server

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/ratelimit"
)

// Limits on instructor login attempts, counted per client address and per
// address and email together. Each is a bucket of burst attempts that
// refills one attempt every refill. The pair's limit is the tighter: it
// stops a password being guessed from one address, and since it is keyed on
// the pair, nobody can lock an instructor out by typing wrong passwords
// for their email from elsewhere.
const (
	loginIPBurst     = 10
	loginIPRefill    = 6 * time.Second
	loginEmailBurst  = 5
	loginEmailRefill = time.Minute
	// maxEmail is the longest email address (RFC 5321's path limit less
	// the brackets); longer ones are refused before anything else.
	maxEmail = 254
	// loginHashers bounds the password hashes computed at once: each is
	// deliberately slow, so a flood of logins must not take every core.
	loginHashers = 2
)

// Limits per client address on starting sessions outside a classroom, and
// on classroom codes that name no classroom (only wrong codes count, so a
// whole class joining from one school router never meets it, while
// guessing one of the 9×10⁸ codes takes years at this pace).
const (
	startBurst    = 10
	startRefill   = 20 * time.Second
	badCodeBurst  = 20
	badCodeRefill = 10 * time.Second
)

// The rates of the limits above, named in the shared store.
var (
	loginIPRate      = ratelimit.Rate{Name: "login_ip", Burst: loginIPBurst, Refill: loginIPRefill}
	loginIPEmailRate = ratelimit.Rate{Name: "login_ip_email", Burst: loginEmailBurst, Refill: loginEmailRefill}
	startRate        = ratelimit.Rate{Name: "starts", Burst: startBurst, Refill: startRefill}
	badCodeRate      = ratelimit.Rate{Name: "bad_codes", Burst: badCodeBurst, Refill: badCodeRefill}
)

// loginLimiter limits instructor login attempts. The attempts count over
// every process sharing st (see ratelimit.Limiter); the password hashes
// computed at once are this process's cores, and count here only.
type loginLimiter struct {
	byIP      *ratelimit.Limiter
	byIPEmail *ratelimit.Limiter
	now       func() time.Time // the clock; tests stop it
	// hashers holds a token per password hash being computed.
	hashers chan struct{}
}

func newLoginLimiter(st ratelimit.Store, log *slog.Logger) *loginLimiter {
	return &loginLimiter{
		byIP:      ratelimit.NewLimiter(loginIPRate, st, log),
		byIPEmail: ratelimit.NewLimiter(loginIPEmailRate, st, log),
		now:       time.Now,
		hashers:   make(chan struct{}, loginHashers),
	}
}

// allow takes one attempt for the address and for the address and email
// together, or returns ERATELIMITED saying when to try again. An email over
// maxEmail bytes is EINVALID and takes nothing.
func (l *loginLimiter) allow(ctx context.Context, ip, email string) error {
	if len(email) > maxEmail {
		return fault.Errorf(fault.EINVALID, "That is not an email address (over %d characters).", maxEmail)
	}
	now := l.now()
	if wait := l.byIP.Take(ctx, ip, now); wait > 0 {
		return tooMany(wait)
	}
	if wait := l.byIPEmail.Take(ctx, ip+" "+strings.ToLower(strings.TrimSpace(email)), now); wait > 0 {
		return tooMany(wait)
	}
	return nil
}

// hash runs fn, which checks a password, once a hasher is free, or gives
// up with EUNAVAILABLE when ctx ends first.
func (l *loginLimiter) hash(ctx context.Context, fn func() error) error {
	select {
	case l.hashers <- struct{}{}:
	case <-ctx.Done():
		return fault.Wrap(fault.EUNAVAILABLE, ctx.Err(), "The server is busy with other logins; try again.")
	}
	defer func() { <-l.hashers }()
	return fn()
}

func tooMany(wait time.Duration) error {
	return &fault.Error{Code: fault.ERATELIMITED, RetryAfter: wait.Round(time.Second) + time.Second,
		Message: "Too many login attempts; wait a little and try again."}
}

// takeAddress takes one token from key's bucket, or answers ERATELIMITED
// with message when it is empty. Taking first (not peeking) keeps requests
// sent all at once from passing together.
func takeAddress(ctx context.Context, l *ratelimit.Limiter, key string, now time.Time, message string) error {
	if wait := l.Take(ctx, key, now); wait > 0 {
		return &fault.Error{Code: fault.ERATELIMITED, RetryAfter: wait.Round(time.Second) + time.Second, Message: message}
	}
	return nil
}
