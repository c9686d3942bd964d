package store_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labplay/playground/ratelimit"
	"github.com/labplay/playground/sessions/store"
	"github.com/labplay/playground/sessions/store/storetest"
)

// twoStores opens two stores on one fresh database: two server processes'
// views of it, sharing nothing else.
func twoStores(t *testing.T) (*store.Store, *store.Store) {
	t.Helper()
	url := storetest.URL(t)
	open := func() *store.Store {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		st, err := store.Open(ctx, url)
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		t.Cleanup(st.Close)
		return st
	}
	return open(), open()
}

// epoch is the tests' stopped clock.
var epoch = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// Two processes hold a key to one bucket between them: the burst spread
// over both, the next take is refused on either, and the refill is counted
// once.
func TestSharedBucketAcrossStores(t *testing.T) {
	t.Parallel()
	a, b := twoStores(t)
	r := ratelimit.Rate{Name: "test", Burst: 3, Refill: 10 * time.Second}
	la, lb := ratelimit.NewLimiter(r, a, nil), ratelimit.NewLimiter(r, b, nil)
	ctx := context.Background()
	for i, l := range []*ratelimit.Limiter{la, lb, la} {
		if wait := l.Take(ctx, "192.0.2.1", epoch); wait != 0 {
			t.Fatalf("take %d of the burst of 3: wait %v", i+1, wait)
		}
	}
	for name, l := range map[string]*ratelimit.Limiter{"a": la, "b": lb} {
		if wait := l.Take(ctx, "192.0.2.1", epoch); wait != 10*time.Second {
			t.Fatalf("take past the burst on %s: wait %v, want 10s", name, wait)
		}
	}
	if wait := lb.Take(ctx, "192.0.2.2", epoch); wait != 0 {
		t.Fatalf("another key waits %v", wait)
	}
	if wait := lb.Take(ctx, "192.0.2.1", epoch.Add(4*time.Second)); wait != 6*time.Second {
		t.Fatalf("4 s later: wait %v, want 6s", wait)
	}
	if wait := la.Take(ctx, "192.0.2.1", epoch.Add(10*time.Second)); wait != 0 {
		t.Fatalf("a refill period later: wait %v, want 0", wait)
	}
	// Another rate's bucket of the same key is its own.
	other := ratelimit.NewLimiter(ratelimit.Rate{Name: "other", Burst: 1, Refill: time.Minute}, b, nil)
	if wait := other.Take(ctx, "192.0.2.1", epoch); wait != 0 {
		t.Fatalf("another rate's bucket of the key waits %v", wait)
	}
	// Charges (into debt) on one process are waited out on the other.
	for range 7 {
		la.Charge(ctx, "192.0.2.3", epoch)
	}
	if wait := lb.Wait(ctx, "192.0.2.3", epoch); wait != 40*time.Second {
		t.Fatalf("after seven charges of a bucket of 3: wait %v, want 40s (the debt stops at -3)", wait)
	}
	if wait := lb.Wait(ctx, "192.0.2.4", epoch); wait != 0 {
		t.Fatalf("an unknown key waits %v", wait)
	}
}

// Takes sent at once from two processes never pass together past the
// burst: each take is one atomic statement.
func TestSharedBucketUnderConcurrency(t *testing.T) {
	t.Parallel()
	a, b := twoStores(t)
	r := ratelimit.Rate{Name: "test", Burst: 20, Refill: time.Hour}
	limiters := []*ratelimit.Limiter{ratelimit.NewLimiter(r, a, nil), ratelimit.NewLimiter(r, b, nil)}
	var passed atomic.Int32
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if limiters[i%2].Take(context.Background(), "k", epoch) == 0 {
				passed.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := passed.Load(); n != 20 {
		t.Fatalf("%d of 30 takes at once passed a burst of 20", n)
	}
}

// A process whose database has gone away still limits, in this process
// only: it neither lets everything through nor fails, and logs it once.
func TestSharedLimitsFallBackWhenTheDatabaseCloses(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	l := ratelimit.NewLimiter(ratelimit.Rate{Name: "test", Burst: 2, Refill: time.Minute}, st, log)
	c := ratelimit.NewCap("terminals", 2, st, log)
	ctx := context.Background()
	if wait := l.Take(ctx, "k", epoch); wait != 0 {
		t.Fatalf("first take: wait %v", wait)
	}
	st.Close()
	for i := range 2 {
		if wait := l.Take(ctx, "k", epoch); wait != 0 {
			t.Fatalf("take %d of this process's burst without the database: wait %v", i+1, wait)
		}
	}
	if wait := l.Take(ctx, "k", epoch); wait != time.Minute {
		t.Fatalf("past the burst without the database: wait %v, want 1m", wait)
	}
	for i := range 2 {
		leave, ok := c.Enter(ctx, "s1")
		if !ok {
			t.Fatalf("terminal %d of 2 without the database refused", i+1)
		}
		defer leave()
	}
	if _, ok := c.Enter(ctx, "s1"); ok {
		t.Fatal("a third terminal without the database let in")
	}
	for _, limit := range []string{"limit=test", "limit=terminals"} {
		if n := strings.Count(logs.String(), limit); n != 1 {
			t.Errorf("%s: the outage was logged %d times, want once:\n%s", limit, n, logs.String())
		}
	}
}

// Full buckets are swept from the table; others stay.
func TestSharedBucketsAreSwept(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t)
	ctx := context.Background()
	r := ratelimit.Rate{Name: "test", Burst: 2, Refill: time.Minute}
	for _, key := range []string{"a", "b"} {
		if _, _, err := st.TakeToken(ctx, r, key, epoch); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := st.TakeToken(ctx, r, "b", epoch.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := st.SweepTokens(ctx, r, epoch.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	var keys []string
	rows, err := st.Pool().Query(ctx, "SELECT key FROM rate_buckets ORDER BY key")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if rows.Err() != nil || len(keys) != 1 || keys[0] != "b" {
		t.Fatalf("buckets kept after a sweep: %v (%v), want only b, which is not full", keys, rows.Err())
	}
}
