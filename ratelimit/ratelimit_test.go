package ratelimit

import (
	"testing"
	"time"
)

func TestBuckets(t *testing.T) {
	l := New(2, 10*time.Second)
	now := time.Unix(1000, 0)
	for i := range 2 {
		if wait := l.Take("k", now); wait != 0 {
			t.Fatalf("take %d of the burst of 2 waits %v", i+1, wait)
		}
	}
	if wait := l.Take("k", now); wait != 10*time.Second {
		t.Fatalf("wait = %v, want 10s", wait)
	}
	if wait := l.Take("k", now.Add(4*time.Second)); wait != 6*time.Second {
		t.Fatalf("wait after 4 s = %v, want 6s", wait)
	}
	if wait := l.Take("k", now.Add(10*time.Second)); wait != 0 {
		t.Fatalf("after a full refill period: wait %v", wait)
	}
	// A token given back can be taken again, but the bucket never holds
	// more than its burst.
	l.Give("k")
	if wait := l.Take("k", now.Add(10*time.Second)); wait != 0 {
		t.Fatalf("after Give: wait %v", wait)
	}
	for range 5 {
		l.Give("fresh")
	}
	if l.Take("other", now) != 0 {
		t.Fatal("keys share a bucket")
	}
	// Full buckets are forgotten.
	l.Take("z", now.Add(2*time.Minute))
	if n := l.Len(); n != 1 {
		t.Fatalf("%d buckets kept after a sweep, want only the one just used", n)
	}
}

func TestChargeGoesIntoDebt(t *testing.T) {
	now := time.Unix(1000, 0)
	l := New(2, time.Second)
	if w := l.Wait("a", now); w != 0 {
		t.Fatalf("a fresh key waits %v", w)
	}
	for range 5 {
		l.Charge("a", now)
	}
	// Two tokens, five charges: down to -2 (the debt stops at the burst),
	// so three seconds until one token.
	if w := l.Wait("a", now); w != 3*time.Second {
		t.Fatalf("after five charges of a bucket of two: wait %v, want 3s", w)
	}
	if w := l.Wait("a", now.Add(3*time.Second)); w != 0 {
		t.Fatalf("three seconds later: wait %v, want 0", w)
	}
	if w := l.Wait("b", now); w != 0 {
		t.Fatalf("another key waits %v", w)
	}
}

// InFlight lets each key have max things under way, gives a slot back on
// leave (once, however often leave is called), and forgets idle keys.
func TestInFlight(t *testing.T) {
	f := NewInFlight(2)
	a1, ok1 := f.Enter("a")
	a2, ok2 := f.Enter("a")
	if !ok1 || !ok2 {
		t.Fatal("the first two of a key are refused")
	}
	if _, ok := f.Enter("a"); ok {
		t.Fatal("a third at once is let in")
	}
	if _, ok := f.Enter("b"); !ok {
		t.Fatal("another key is held back by a")
	}
	a1()
	a1()
	if n := f.Count("a"); n != 1 {
		t.Fatalf("after one leave (called twice) a has %d under way, want 1", n)
	}
	if _, ok := f.Enter("a"); !ok {
		t.Fatal("a freed slot is not given again")
	}
	a2()
	if len(f.busy) != 2 {
		t.Errorf("keys kept: %v", f.busy)
	}
}
