package manager

import (
	"context"
	"testing"
	"time"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions/store"
	"github.com/labplay/playground/sessions/store/storetest"
)

// A session's checks reaching two processes on one database meet one
// rate: the burst spread over both, the next is refused on either. The
// one-at-a-time slot stays each process's own. Postgres only.
func TestGateRateAcrossProcesses(t *testing.T) {
	t.Parallel()
	url := storetest.URL(t)
	now := time.Unix(1000, 0)
	var gs []*gates
	for range 2 {
		st, err := store.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(st.Close)
		g := newGates(st, nil)
		g.now = func() time.Time { return now }
		gs = append(gs, g)
	}
	for i := range gateBurst {
		leave, err := gs[i%2].enter(context.Background(), "s1")
		if err != nil {
			t.Fatalf("request %d of the burst: %v", i+1, err)
		}
		leave()
	}
	for i, g := range gs {
		if _, err := g.enter(context.Background(), "s1"); fault.ErrorCode(err) != fault.ERATELIMITED {
			t.Fatalf("past the burst, on process %d: %v, want ERATELIMITED", i+1, err)
		}
	}
	now = now.Add(gateRefill)
	leave, err := gs[1].enter(context.Background(), "s1")
	if err != nil {
		t.Fatalf("after one refill period: %v", err)
	}
	leave()
}
