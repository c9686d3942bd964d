package manager

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/engine"
)

// A classroom instructor's work on a learner's session: more time stops at
// the longest lifetime, saying so; a reset puts a new node in place of the
// old at the same address, and the periodic reconcile, running meanwhile,
// does not take the session whose only node is being replaced for one
// whose containers vanished.
func TestInstructorActionsOnASession(t *testing.T) {
	env := newTestEnv(t, Config{Lifetime: time.Hour, MaxLifetime: 90 * time.Minute, LabNodes: oneNodeLabs}, engine.Config{})
	ctx := context.Background()
	s := env.startOne(t, "ana")
	s, err := env.m.Get(ctx, "ana", s.ID) // its times as the store keeps them
	if err != nil {
		t.Fatal(err)
	}

	t.Run("extend", func(t *testing.T) {
		_, _, err := env.m.ExtendScoped(ctx, s, 30*time.Second)
		wantCode(t, "extending by less than a minute", err, fault.EINVALID)
		got, capped, err := env.m.ExtendScoped(ctx, s, 20*time.Minute)
		if err != nil || capped || got.ExpiresAt.Sub(s.ExpiresAt) != 20*time.Minute {
			t.Fatalf("extend by 20 min = %+v, %v, %v", got, capped, err)
		}
		got, capped, err = env.m.ExtendScoped(ctx, got, time.Hour)
		if err != nil || !capped || !got.ExpiresAt.Equal(got.CreatedAt.Add(90*time.Minute)) {
			t.Fatalf("extend by an hour = %+v, %v, %v; want stopped at 90 min from the start", got, capped, err)
		}
		_, capped, err = env.m.ExtendScoped(ctx, got, 5*time.Minute)
		wantCode(t, "extending at the limit", err, fault.ECONFLICT)
		if !capped {
			t.Error("a refusal at the limit does not say the limit stopped it")
		}
	})

	t.Run("reset while reconciling", func(t *testing.T) {
		old := s.Nodes[0]
		done := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				case <-time.After(50 * time.Millisecond):
				}
				if err := env.m.Reconcile(ctx, false); err != nil {
					t.Errorf("reconcile: %v", err)
				}
			}
		}()
		got, err := env.m.ResetSession(ctx, s)
		close(done)
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
		n := got.Node(old.Name)
		if !got.Live() || n == nil || n.ContainerID == old.ContainerID || n.Address != old.Address || n.Status != sessions.NodeRunning {
			t.Fatalf("after the reset: %+v (node %+v); was %+v", got, n, old)
		}
		if err := env.m.Reconcile(ctx, false); err != nil {
			t.Fatal(err)
		}
		if status, reason, _ := env.endReason(t, s.ID); status != sessions.StatusRunning {
			t.Fatalf("the session is %s (%s) after the reset; want running", status, reason)
		}
		running, err := env.engine.NodeRunning(ctx, old.ContainerID)
		if err != nil || running {
			t.Errorf("the old node runs still: %v, %v", running, err)
		}
		_, err = env.m.ResetNode(ctx, got, "node7")
		wantCode(t, "resetting a node the session lacks", err, fault.ENOTFOUND)
		s = got
	})

	if err := env.m.Delete(ctx, "ana", s.ID); err != nil {
		t.Fatal(err)
	}
	ended, _ := env.m.Get(ctx, "ana", s.ID)
	_, err = env.m.ResetNode(ctx, ended, ended.Nodes[0].Name)
	wantCode(t, "resetting a node of an ended session", err, fault.ECONFLICT)
}
