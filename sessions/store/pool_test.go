package store_test

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/store"
)

// makePooled records a warming pool session of the default instance, for
// the classroom warmFor ("" for the general pool).
func makePooled(st *store.Store, warmFor string, limits store.Limits) error {
	s := &sessions.Session{ID: sessions.NewID(), UserID: "pool:default", Status: sessions.StatusStarting,
		ExpiresAt: time.Now().Add(time.Hour), Pool: sessions.PoolWarming, WarmFor: warmFor}
	return st.CreateSession(context.Background(), s, store.Subnets{Pool: netip.MustParsePrefix("100.64.16.0/22"), Bits: 28}, limits)
}

// Two processes topping up the same pool at once make it no bigger than
// one would: the general pool and a classroom's ready seats alike. A
// process that finds the pool full is told ECONFLICT.
func TestPoolTopUpAcrossStores(t *testing.T) {
	t.Parallel()
	a, b := twoStores(t)
	class := newClassroom(t, a, newInstructor(t, a, "pool@school.example").ID, 0)
	if err := a.SetWarmWanted(context.Background(), class.ID, 3); err != nil {
		t.Fatal(err)
	}
	limits := store.Limits{MaxLive: 20, PoolSize: 2}
	for warmFor, want := range map[string]int{"": 2, class.ID: 3} {
		results := make(chan error, 8)
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results <- makePooled([]*store.Store{a, b}[i%2], warmFor, limits)
			}()
		}
		wg.Wait()
		close(results)
		made := 0
		for err := range results {
			switch {
			case err == nil:
				made++
			case fault.ErrorCode(err) != fault.ECONFLICT:
				t.Fatalf("pool %q: %v, want ECONFLICT once full", warmFor, err)
			}
		}
		if made != want {
			t.Fatalf("pool %q: %d sessions made by 8 top-ups at once, want %d", warmFor, made, want)
		}
	}
	list, err := b.PoolSessions(context.Background(), "default")
	if err != nil || len(list) != 5 {
		t.Fatalf("pool sessions: %d, %v; want 5", len(list), err)
	}
	// A session that leaves the pool makes room for another.
	if err := a.EndSession(context.Background(), list[0].ID, "test"); err != nil {
		t.Fatal(err)
	}
	if err := makePooled(b, list[0].WarmFor, limits); err != nil {
		t.Fatalf("top-up after a pool session ended: %v", err)
	}
}
