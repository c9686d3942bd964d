package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labplay/playground/ratelimit"
)

// Two processes hold a session to one cap of terminals between them; a
// place left on one is free for the other.
func TestSharedCapAcrossStores(t *testing.T) {
	t.Parallel()
	a, b := twoStores(t)
	ca, cb := ratelimit.NewCap("terminals", 3, a, nil), ratelimit.NewCap("terminals", 3, b, nil)
	ctx := context.Background()
	var leaves []func()
	defer func() {
		for _, leave := range leaves {
			leave()
		}
	}()
	for i, c := range []*ratelimit.Cap{ca, ca, cb} {
		leave, ok := c.Enter(ctx, "s1")
		if !ok {
			t.Fatalf("terminal %d of 3 refused", i+1)
		}
		leaves = append(leaves, leave)
	}
	for name, c := range map[string]*ratelimit.Cap{"a": ca, "b": cb} {
		if _, ok := c.Enter(ctx, "s1"); ok {
			t.Fatalf("a fourth terminal let in on %s", name)
		}
	}
	if leave, ok := cb.Enter(ctx, "s2"); !ok {
		t.Fatal("another session is held back by s1")
	} else {
		leave()
	}
	leaves[0]() // one of a's
	leave, ok := cb.Enter(ctx, "s1")
	if !ok {
		t.Fatal("the place a left is not free on b")
	}
	leaves[0] = leave
	if n, err := a.Leases(ctx, "terminals", "s1", time.Now()); err != nil || n != 3 {
		t.Fatalf("leases of s1 = %d, %v; want 3", n, err)
	}
}

// Enters sent at once from two processes never pass the cap together.
func TestSharedCapUnderConcurrency(t *testing.T) {
	t.Parallel()
	a, b := twoStores(t)
	caps := []*ratelimit.Cap{ratelimit.NewCap("transfers", 4, a, nil), ratelimit.NewCap("transfers", 4, b, nil)}
	var entered atomic.Int32
	var mu sync.Mutex
	var leaves []func()
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if leave, ok := caps[i%2].Enter(context.Background(), "s1"); ok {
				entered.Add(1)
				mu.Lock()
				leaves = append(leaves, leave)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, leave := range leaves {
		leave()
	}
	if n := entered.Load(); n != 4 {
		t.Fatalf("%d of 10 enters at once passed a cap of 4", n)
	}
}

// A killed process's leases stop counting once they expire; a live
// process's renewals keep its own, and record again those the store lost.
func TestLeasesExpireUnlessRenewed(t *testing.T) {
	t.Parallel()
	a, b := twoStores(t)
	ctx := context.Background()
	lease := func(id string) ratelimit.Lease { return ratelimit.Lease{Name: "terminals", Key: "s1", ID: id} }
	for _, id := range []string{"dead1", "dead2"} {
		if ok, err := a.EnterLease(ctx, lease(id), "killed", 2, time.Minute, epoch); err != nil || !ok {
			t.Fatalf("enter %s: %v, %v", id, ok, err)
		}
	}
	if ok, err := b.EnterLease(ctx, lease("live1"), "live", 2, time.Minute, epoch.Add(59*time.Second)); err != nil || ok {
		t.Fatalf("enter beside two unexpired leases of a cap of 2: %v, %v; want refused", ok, err)
	}
	if ok, err := b.EnterLease(ctx, lease("live1"), "live", 2, time.Minute, epoch.Add(time.Minute)); err != nil || !ok {
		t.Fatalf("enter once the killed process's leases expired: %v, %v; want let in", ok, err)
	}
	// live renews live1 and live2, which it entered while the database did
	// not answer.
	if err := b.RenewLeases(ctx, "live", []ratelimit.Lease{lease("live1"), lease("live2")}, time.Minute, epoch.Add(100*time.Second)); err != nil {
		t.Fatal(err)
	}
	for at, want := range map[time.Duration]int{159 * time.Second: 2, 160 * time.Second: 0} {
		if n, err := a.Leases(ctx, "terminals", "s1", epoch.Add(at)); err != nil || n != want {
			t.Fatalf("leases %v after the start: %d, %v; want %d", at, n, err, want)
		}
	}
	// A renewal deletes every expired lease, whoever held it.
	if err := a.RenewLeases(ctx, "other", nil, time.Minute, epoch.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := a.Pool().QueryRow(ctx, "SELECT count(*) FROM inflight_leases").Scan(&rows); err != nil || rows != 0 {
		t.Fatalf("%d leases kept after they all expired (%v)", rows, err)
	}
}
