package live

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func next(t *testing.T, s *Subscription) Batch {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, err := s.Next(ctx)
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return b
}

func TestHubRoutesByScopeAndMerges(t *testing.T) {
	t.Parallel()
	h := NewHub(nil)
	a, _ := h.Subscribe("class-a")
	b, _ := h.Subscribe("class-b")
	h.Publish(Event{Scope: "class-a", UserID: "u2", Kind: "check"})
	h.Publish(Event{Scope: "class-a", UserID: "u1", Kind: "check"})
	h.Publish(Event{Scope: "class-a", UserID: "u2", Kind: "ack"})
	h.Publish(Event{Scope: "class-b", UserID: "u9", Kind: "check"})
	h.deliver(`{"id":7,"user_id":"u3","lab":"x","scope":"","section":"s","kind":"check"}`) // anonymous: dropped
	h.deliver(`not json`)

	if got := next(t, a); got.All || !slices.Equal(got.Users, []string{"u1", "u2"}) {
		t.Fatalf("class-a batch = %+v, want u1 and u2 once each", got)
	}
	if got := next(t, b); !slices.Equal(got.Users, []string{"u9"}) {
		t.Fatalf("class-b batch = %+v", got)
	}

	// A classroom-wide change asks for everything.
	h.deliver(`{"scope":"class-a","user_id":"","kind":"closed"}`)
	h.Publish(Event{Scope: "class-a", UserID: "u5", Kind: "check"})
	if got := next(t, a); !got.All || got.Users != nil {
		t.Fatalf("batch after close = %+v, want All", got)
	}

	// Nothing pending: Next waits until its context ends.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := a.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Next with nothing pending: err = %v", err)
	}

	// A closed subscription hears nothing more; the others still do.
	b.Close()
	h.Publish(Event{Scope: "class-b", UserID: "u9", Kind: "check"})
	if _, err := b.Next(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Next after Close: err = %v", err)
	}
	h.Close()
	if _, err := a.Next(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Next after the hub closed: err = %v", err)
	}
	if _, err := h.Subscribe("class-a"); !errors.Is(err, ErrClosed) {
		t.Fatalf("Subscribe after the hub closed: err = %v", err)
	}
}

func TestSubscriptionOverflowAsksForEverything(t *testing.T) {
	t.Parallel()
	h := NewHub(nil)
	defer h.Close()
	s, _ := h.Subscribe("c")
	for i := range maxPending + 1 {
		h.Publish(Event{Scope: "c", UserID: fmt.Sprint("u", i), Kind: "check"})
	}
	if got := next(t, s); !got.All {
		t.Fatalf("after %d changes: batch has %d users, want All", maxPending+1, len(got.Users))
	}
}

func TestNextWakesAWaitingSubscriber(t *testing.T) {
	t.Parallel()
	h := NewHub(nil)
	defer h.Close()
	s, _ := h.Subscribe("c")
	got := make(chan Batch, 1)
	go func() {
		b, _ := s.Next(context.Background())
		got <- b
	}()
	h.Publish(Event{Scope: "c", UserID: "u1", Kind: "check"})
	select {
	case b := <-got:
		if !slices.Equal(b.Users, []string{"u1"}) {
			t.Fatalf("batch = %+v", b)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a waiting Next was not woken by Publish")
	}
}
