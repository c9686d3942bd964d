package ratelimit

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// fakeStore is a Store whose methods are functions a test sets; a method
// left unset answers errDown, as a database that has gone away.
type fakeStore struct {
	TakeTokenFn   func(r Rate, key string, now time.Time) (float64, bool, error)
	EnterLeaseFn  func(l Lease, max int) (bool, error)
	RenewLeasesFn func(holder string, leases []Lease) error
	LeaveLeaseFn  func(ctx context.Context) error
	calls         int
}

var _ Store = (*fakeStore)(nil)

var errDown = errors.New("connection refused")

func (f *fakeStore) TakeToken(_ context.Context, r Rate, key string, now time.Time) (float64, bool, error) {
	f.calls++
	if f.TakeTokenFn == nil {
		return 0, false, errDown
	}
	return f.TakeTokenFn(r, key, now)
}

func (f *fakeStore) ChargeToken(context.Context, Rate, string, time.Time) error {
	f.calls++
	return errDown
}

func (f *fakeStore) Tokens(context.Context, Rate, string, time.Time) (float64, error) {
	f.calls++
	return 0, errDown
}

func (f *fakeStore) SweepTokens(context.Context, Rate, time.Time) error { return nil }

func (f *fakeStore) EnterLease(_ context.Context, l Lease, _ string, max int, _ time.Duration, _ time.Time) (bool, error) {
	f.calls++
	if f.EnterLeaseFn == nil {
		return false, errDown
	}
	return f.EnterLeaseFn(l, max)
}

func (f *fakeStore) LeaveLease(ctx context.Context, _ Lease) error {
	if f.LeaveLeaseFn == nil {
		return nil
	}
	return f.LeaveLeaseFn(ctx)
}

func (f *fakeStore) RenewLeases(_ context.Context, holder string, leases []Lease, _ time.Duration, _ time.Time) error {
	if f.RenewLeasesFn == nil {
		return errDown
	}
	return f.RenewLeasesFn(holder, leases)
}

// While the store does not answer, a Limiter still holds each key to its
// rate, in this process; it says so once, leaves the store alone for
// retryShared, then uses it again as soon as it answers.
func TestLimiterFallsBackWhileTheStoreIsDown(t *testing.T) {
	var logs bytes.Buffer
	st := &fakeStore{}
	l := NewLimiter(Rate{Name: "test", Burst: 2, Refill: 10 * time.Second}, st, slog.New(slog.NewTextHandler(&logs, nil)))
	ctx := context.Background()
	now := time.Unix(1000, 0)
	for i := range 2 {
		if wait := l.Take(ctx, "k", now); wait != 0 {
			t.Fatalf("take %d of the burst with the store down: wait %v", i+1, wait)
		}
	}
	if wait := l.Take(ctx, "k", now); wait != 10*time.Second {
		t.Fatalf("past the burst with the store down: wait %v, want 10s (the limit holds in this process)", wait)
	}
	if st.calls != 1 {
		t.Errorf("the store was asked %d times within retryShared of its failure, want once", st.calls)
	}
	if n := strings.Count(logs.String(), "does not answer"); n != 1 {
		t.Errorf("the outage was logged %d times, want once:\n%s", n, logs.String())
	}
	// The store answers again: it is asked, and it decides.
	st.TakeTokenFn = func(Rate, string, time.Time) (float64, bool, error) { return 0.5, false, nil }
	later := now.Add(retryShared)
	if wait := l.Take(ctx, "other", later); wait != 5*time.Second {
		t.Fatalf("the store's answer of half a token: wait %v, want 5s", wait)
	}
	if !strings.Contains(logs.String(), "answers again") {
		t.Errorf("the recovery was not logged:\n%s", logs.String())
	}
}

// A request whose context has ended is no sign of an outage.
func TestLimiterIgnoresTheCallersEnd(t *testing.T) {
	st := &fakeStore{}
	l := NewLimiter(Rate{Name: "test", Burst: 1, Refill: time.Second}, st, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	now := time.Unix(1000, 0)
	l.Take(ctx, "k", now)
	st.TakeTokenFn = func(Rate, string, time.Time) (float64, bool, error) { return 0, true, nil }
	before := st.calls
	l.Take(context.Background(), "k", now)
	if st.calls != before+1 {
		t.Fatal("a cancelled request made the limiter leave the store alone")
	}
}

// While the store does not answer, a Cap still holds each key to its max
// in this process; the leases entered meanwhile are recorded by the next
// renewal that reaches the store, and a lease left is not.
func TestCapFallsBackAndRecordsLeasesLater(t *testing.T) {
	st := &fakeStore{}
	c := NewCap("terminals", 2, st, slog.New(slog.DiscardHandler))
	ctx := context.Background()
	leave1, ok1 := c.Enter(ctx, "s1")
	leave2, ok2 := c.Enter(ctx, "s1")
	if !ok1 || !ok2 {
		t.Fatal("the first two of a key are refused while the store is down")
	}
	if _, ok := c.Enter(ctx, "s1"); ok {
		t.Fatal("a third is let in while the store is down: the cap must hold in this process")
	}
	leave2()
	var renewed []Lease
	st.RenewLeasesFn = func(holder string, leases []Lease) error {
		if holder != c.holder {
			t.Errorf("renewed as %q, want this cap's holder %q", holder, c.holder)
		}
		renewed = leases
		return nil
	}
	c.renew()
	if len(renewed) != 1 || renewed[0].Key != "s1" || renewed[0].Name != "terminals" {
		t.Fatalf("renewed %v, want the one lease still held", renewed)
	}
	// Back in the store, the store decides.
	st.EnterLeaseFn = func(Lease, int) (bool, error) { return false, nil }
	c.now = func() time.Time { return time.Now().Add(retryShared) }
	if _, ok := c.Enter(ctx, "s1"); ok {
		t.Fatal("entered although the store says the key is full")
	}
	leave1()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.held) != 0 || c.stopLoop != nil {
		t.Fatalf("after every leave: %d leases held, renewal loop running %v", len(c.held), c.stopLoop != nil)
	}
}

// A store that hangs, rather than refusing, is a store down too: a leave
// that ran out of time puts the cap in fallback, so that the next terminal
// does not wait on the store again.
func TestCapFallsBackWhenTheStoreHangs(t *testing.T) {
	st := &fakeStore{EnterLeaseFn: func(Lease, int) (bool, error) { return true, nil }}
	var logged bytes.Buffer
	c := NewCap("terminals", 2, st, slog.New(slog.NewTextHandler(&logged, nil)))
	leave, ok := c.Enter(context.Background(), "s1")
	if !ok {
		t.Fatal("refused while the store lets it in")
	}
	st.LeaveLeaseFn = func(ctx context.Context) error {
		<-ctx.Done() // hangs until the call's own deadline
		return ctx.Err()
	}
	leave()
	calls := st.calls
	if _, ok := c.Enter(context.Background(), "s1"); !ok {
		t.Fatal("refused in this process with nothing under way")
	}
	if st.calls != calls {
		t.Error("the store was asked again right after it hung")
	}
	if !strings.Contains(logged.String(), "does not answer") {
		t.Errorf("the hang was not logged: %q", logged.String())
	}
}
