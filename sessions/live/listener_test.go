package live_test

import (
	"context"
	"log/slog"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/live"
	"github.com/labplay/playground/sessions/store"
	"github.com/labplay/playground/sessions/store/storetest"
)

// startHub runs a hub listening on its own connection to st's database, and
// stops it when the test ends.
func startHub(t *testing.T, st *store.Store) *live.Hub {
	t.Helper()
	h := live.NewHub(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		h.Listen(ctx, st.Pool().Config().ConnConfig)
	}()
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	rctx, rcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer rcancel()
	if err := h.Ready(rctx); err != nil {
		t.Fatalf("hub never listened: %v", err)
	}
	return h
}

// waitFor reads batches until one names user, or fails the test. A batch
// asking for everything fails it too: nothing was lost, so none should come.
func waitFor(t *testing.T, s *live.Subscription, user string) live.Batch {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		b, err := s.Next(ctx)
		if err != nil {
			t.Fatalf("waiting for %s: %v", user, err)
		}
		if b.All {
			t.Fatalf("waiting for %s: got a batch asking to reload everything", user)
		}
		if slices.Contains(b.Users, user) {
			return b
		}
	}
}

func record(t *testing.T, st *store.Store, user, scope string) {
	t.Helper()
	ctx := context.Background()
	if err := st.EnsureUser(ctx, user); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordAttempt(ctx, store.Attempt{Learner: store.Learner{UserID: user, Lab: "lab", Scope: scope},
		Section: "s1", Kind: "check", Passed: true}); err != nil {
		t.Fatal(err)
	}
}

// Two hubs on two connections, as two server processes would have: an event
// recorded through one store reaches the subscribers of both.
func TestAnnouncementsReachEveryProcess(t *testing.T) {
	t.Parallel()
	url := storetest.URL(t)
	ctx := context.Background()
	stA, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer stA.Close()
	stB, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer stB.Close()
	hubA, hubB := startHub(t, stA), startHub(t, stB)
	subA, _ := hubA.Subscribe("class-1")
	subB, _ := hubB.Subscribe("class-1")
	other, _ := hubB.Subscribe("class-2")

	user := sessions.NewID()
	record(t, stA, user, "class-1")
	if b := waitFor(t, subB, user); !slices.Contains(b.Users, user) {
		t.Fatalf("process B got %+v", b)
	}
	if b := waitFor(t, subA, user); !slices.Contains(b.Users, user) {
		t.Fatalf("process A got %+v", b)
	}
	// class-2 heard nothing of class-1: its next batch is its own event.
	user2 := sessions.NewID()
	record(t, stB, user2, "class-2")
	b := waitFor(t, other, user2)
	if slices.Contains(b.Users, user) {
		t.Fatalf("class-2 subscriber got class-1's learner: %+v", b)
	}
}

// When the listening connection dies, the hub connects again, tells its
// subscribers to reload, and goes on delivering.
func TestListenerReconnects(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t)
	ctx := context.Background()
	h := startHub(t, st)
	sub, _ := h.Subscribe("class-1")

	tag, err := st.Pool().Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE application_name = 'playground-live' AND datname = current_database()`)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("terminate the listening connection: %v (rows %d)", err, tag.RowsAffected())
	}
	// The first batch after the reconnection asks for everything.
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	b, err := sub.Next(wctx)
	if err != nil || !b.All {
		t.Fatalf("after the connection died: batch %+v, err %v; want All", b, err)
	}
	// Then events flow again. The LISTEN may not be back yet when the
	// first event is recorded, so record until one arrives.
	user := sessions.NewID()
	got := make(chan live.Batch, 1)
	go func() {
		for {
			b, err := sub.Next(wctx)
			if err != nil {
				close(got)
				return
			}
			if slices.Contains(b.Users, user) {
				got <- b
				return
			}
		}
	}()
	for {
		record(t, st, user, "class-1")
		select {
		case b, ok := <-got:
			if !ok {
				t.Fatal("no event after the reconnection")
			}
			_ = b
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
}
