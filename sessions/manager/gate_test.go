package manager

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/labplay/playground/fault"
)

func TestGateOneAtATime(t *testing.T) {
	t.Parallel()
	g := newGates(nil, nil)
	var mu sync.Mutex
	running, most := 0, 0
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			leave, err := g.enter(context.Background(), "s1")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			running++
			most = max(most, running)
			mu.Unlock()
			time.Sleep(10 * time.Millisecond) // a piece of work: long enough for two to overlap if the gate let them
			mu.Lock()
			running--
			mu.Unlock()
			leave()
		}()
	}
	// Another session is not held up by s1's queue.
	leave, err := g.enter(context.Background(), "s2")
	if err != nil {
		t.Fatal(err)
	}
	leave()
	wg.Wait()
	if most != 1 {
		t.Fatalf("%d pieces of work ran at once in one session, want 1", most)
	}
}

func TestGateRate(t *testing.T) {
	t.Parallel()
	g := newGates(nil, nil)
	now := time.Unix(1000, 0)
	g.now = func() time.Time { return now }
	for i := range gateBurst {
		leave, err := g.enter(context.Background(), "s1")
		if err != nil {
			t.Fatalf("request %d of the burst: %v", i+1, err)
		}
		leave()
	}
	_, err := g.enter(context.Background(), "s1")
	var e *fault.Error
	if fault.ErrorCode(err) != fault.ERATELIMITED {
		t.Fatalf("past the burst: %v, want ERATELIMITED", err)
	}
	if ok := asError(err, &e); !ok || e.RetryAfter <= 0 {
		t.Fatalf("no Retry-After: %v", err)
	}
	// Time refills the bucket; an idle session's slot is forgotten.
	now = now.Add(gateRefill)
	leave, err := g.enter(context.Background(), "s1")
	if err != nil {
		t.Fatalf("after one refill period: %v", err)
	}
	leave()
	if _, ok := g.slots["s1"]; ok {
		t.Error("an idle session's slot was kept")
	}
}

func TestGateWaitEndsWithContext(t *testing.T) {
	t.Parallel()
	g := newGates(nil, nil)
	leave, err := g.enter(context.Background(), "s1")
	if err != nil {
		t.Fatal(err)
	}
	defer leave()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := g.enter(ctx, "s1"); err == nil {
		t.Fatal("entered a busy gate")
	}
	if g.slots["s1"].users != 1 {
		t.Fatalf("users = %d after a request gave up, want 1", g.slots["s1"].users)
	}
}

func asError(err error, target **fault.Error) bool {
	e, ok := err.(*fault.Error)
	*target = e
	return ok
}
