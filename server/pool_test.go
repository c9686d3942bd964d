package server

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/labplay/playground/client"
	"github.com/labplay/playground/internal/waitfor"
	"github.com/labplay/playground/labs"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/manager"
	"github.com/labplay/playground/sessions/store"
)

// waitPool waits until the instance's pool holds n ready sessions and
// returns them.
func waitPool(t *testing.T, e *env, n int, warmFor string) []store.PoolSession {
	t.Helper()
	var ready []store.PoolSession
	waitfor.Until(t, fmt.Sprintf("%d ready pool sessions", n), 2*time.Minute, func() error {
		list, err := e.store.PoolSessions(context.Background(), e.instance)
		if err != nil {
			t.Fatal(err)
		}
		ready = nil
		for _, p := range list {
			if p.Pool == sessions.PoolReady && p.WarmFor == warmFor {
				ready = append(ready, p)
			}
		}
		if len(ready) < n {
			return fmt.Errorf("the pool holds %+v", list)
		}
		return nil
	})
	return ready
}

// A learner's Start takes a ready pool session, made theirs in one go; the
// pool never shows in a list, never gives one session to two learners, and
// refills behind them.
func TestPoolHandsOutReadySessions(t *testing.T) {
	e := newEnv(t, envConfig{Docker: true, Manager: manager.Config{PoolSize: 1, PoolLab: "docker-orchestration"}})
	runManager(t, e)
	ctx := context.Background()
	pooled := waitPool(t, e, 1, "")[0]

	a, b := client.New(e.ts.URL), client.New(e.ts.URL)
	var list struct{ Sessions []client.Session }
	if _, err := a.Do(ctx, "GET", "/api/sessions", nil, &list); err != nil || len(list.Sessions) != 0 {
		t.Fatalf("a learner's list shows %+v (%v) while the pool holds a session", list.Sessions, err)
	}
	// Two learners at once: one gets the pool session, the other a cold one.
	type result struct {
		s   *client.Session
		err error
	}
	results := make(chan result, 2)
	for _, c := range []*client.Client{a, b} {
		go func() {
			s, err := c.CreateSession(ctx, "docker-orchestration", "fr")
			results <- result{s, err}
		}()
	}
	r1, r2 := <-results, <-results
	if r1.err != nil || r2.err != nil {
		t.Fatalf("starts: %v, %v", r1.err, r2.err)
	}
	if r1.s.ID == r2.s.ID {
		t.Fatalf("two learners got the same session %s", r1.s.ID)
	}
	var got *client.Session
	for _, s := range []*client.Session{r1.s, r2.s} {
		if s.ID == pooled.ID {
			got = s
		}
	}
	if got == nil {
		t.Fatalf("neither learner got the ready pool session %s", pooled.ID)
	}
	if got.Status != "running" || got.Lab != "docker-orchestration" || got.Lang != "fr" {
		t.Errorf("the pool session handed out: %+v", got)
	}
	if left := time.Until(got.ExpiresAt); left < 59*time.Minute || left > 61*time.Minute {
		t.Errorf("a pool session's time counts from the take: %v left, want an hour", left)
	}
	s, err := e.store.Session(ctx, got.ID)
	if err != nil || s.Pool != "" || s.UserID == "" || s.UserID[:5] == "pool:" {
		t.Errorf("the taken session in the database: %+v, %v", s, err)
	}
	// Its nodes answer, with the lab's image already in.
	if _, code, err := e.engine.Exec(ctx, containerOf(t, e, got.ID, "node2"), "docker image inspect mtbsoft/myipaddress:latest >/dev/null", 20*time.Second); err != nil || code != 0 {
		t.Errorf("a pool session's node lacks the lab's image: %v %d", err, code)
	}
	// The pool refills with another session.
	if next := waitPool(t, e, 1, "")[0]; next.ID == pooled.ID {
		t.Errorf("the pool still offers the session it handed out")
	}
}

// A pool session whose node died is ended, not handed out; the learner
// gets a session that works.
func TestPoolReplacesAnUnhealthySession(t *testing.T) {
	e := newEnv(t, envConfig{Docker: true, Manager: manager.Config{PoolSize: 1, PoolLab: "docker-orchestration"}})
	runManager(t, e)
	ctx := context.Background()
	pooled := waitPool(t, e, 1, "")[0]
	if err := e.docker.ContainerKill(ctx, containerOf(t, e, pooled.ID, "node3"), "KILL"); err != nil {
		t.Fatal(err)
	}
	s, err := client.New(e.ts.URL).CreateSession(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if s.ID == pooled.ID {
		t.Fatal("the learner got the pool session with a dead node")
	}
	for _, n := range s.Nodes {
		if n.Status != "running" {
			t.Errorf("node %s: %s", n.Name, n.Status)
		}
	}
	if bad, err := e.store.Session(ctx, pooled.ID); err != nil || bad.Status != sessions.StatusEnded {
		t.Errorf("the unhealthy pool session: %+v, %v; want ended", bad, err)
	}
}

// On a host full of pool sessions, a start the pool cannot serve gives one
// of them up instead of being refused.
func TestPoolGivesWayOnAFullHost(t *testing.T) {
	builtin := labs.Builtin().ImagesOf
	e := newEnv(t, envConfig{Docker: true, Manager: manager.Config{PoolSize: 1, PoolLab: "docker-orchestration", MaxSessions: 2,
		LabImages: func(lab string) []string {
			if lab == "elsewhere" {
				return []string{"playground-test-absent:none"}
			}
			return builtin(lab)
		}}})
	runManager(t, e)
	ctx := context.Background()
	waitPool(t, e, 1, "")
	// A learner takes the pool's session; the pool makes another: full.
	if _, err := client.New(e.ts.URL).CreateSession(ctx, "docker-orchestration", "en"); err != nil {
		t.Fatal(err)
	}
	second := waitPool(t, e, 1, "")[0]
	// A request the pool cannot serve (a lab with other images) starts cold,
	// in the room the pool gives up.
	s, err := e.manager.Create(ctx, manager.NewSession{UserID: "learner-b", Lab: "elsewhere", Lang: "en"})
	if err != nil {
		t.Fatalf("a cold start on a host full of pool sessions: %v", err)
	}
	if s.ID == second.ID {
		t.Fatal("the lab the pool cannot serve got a pool session")
	}
	if gone, err := e.store.Session(ctx, second.ID); err != nil || gone.Status != sessions.StatusEnded {
		t.Errorf("the pool session given up: %+v, %v; want ended", gone, err)
	}
	if n, _ := e.store.CountLive(ctx, e.instance); n > 2 {
		t.Errorf("%d live sessions on a host of 2", n)
	}
}
