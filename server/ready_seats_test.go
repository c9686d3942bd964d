package server

import (
	"context"
	"net/http"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/manager"
	"github.com/labplay/playground/sessions/store"
	"github.com/labplay/playground/sessions/store/storetest"
)

// An instructor has seats made ready before the class; a learner who joins
// gets one of them, and the dashboard's count follows. Needs Docker and
// the node image.
func TestClassroomReadySeats(t *testing.T) {
	eng := dockerEngine(t)
	env := newClassEnv(t, storetest.URL(t), eng, manager.Config{Lifetime: time.Hour, MaxSessions: 5,
		Subnets: store.Subnets{Pool: netip.MustParsePrefix("100.64.233.0/24"), Bits: 28}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		env.mgr.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		cctx, ccancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer ccancel()
		list, _ := eng.List(cctx)
		for id := range list {
			eng.RemoveSession(cctx, id)
		}
	})
	teacher := addInstructor(t, env, "teacher@school.example")
	class := createClass(t, teacher, 0)
	path := "/api/classrooms/" + class.ID + "/ready"

	for _, body := range []any{map[string]any{"seats": -1}, map[string]any{"seats": "two"}, map[string]any{}, map[string]any{"seats": 999}} {
		if status, b, _ := teacher.do("POST", path, body); status != http.StatusBadRequest {
			t.Errorf("ready seats %v = %d %s, want 400", body, status, b)
		}
	}
	var v classroomView
	teacher.must(http.StatusOK, "POST", path, map[string]any{"seats": 2}, &v)
	if v.ReadySeatsAsked != 2 {
		t.Fatalf("after asking for 2 ready seats: %+v", v)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for v.ReadySeats < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("2 ready seats asked, %d ready after 2 minutes", v.ReadySeats)
		}
		time.Sleep(300 * time.Millisecond)
		teacher.must(http.StatusOK, "GET", "/api/classrooms/"+class.ID, nil, &v)
	}
	warm, err := env.st.PoolSessions(context.Background(), eng.Config().Instance)
	if err != nil || len(warm) != 2 {
		t.Fatalf("pool sessions: %+v, %v", warm, err)
	}
	ids := []string{warm[0].ID, warm[1].ID}

	ana := newBrowser(t, env.ts.URL)
	var sess sessions.Session
	start := time.Now()
	ana.must(http.StatusCreated, "POST", "/api/classrooms/join", map[string]string{"code": class.Code, "name": "Ana"}, &sess)
	took := time.Since(start)
	if !slices.Contains(ids, sess.ID) || sess.Status != sessions.StatusRunning || sess.Lab != class.Lab {
		t.Fatalf("Ana's session %+v is not one of the ready seats %v", sess, ids)
	}
	t.Logf("joining took %v with a ready seat", took)
	teacher.must(http.StatusOK, "GET", "/api/classrooms/"+class.ID, nil, &v)
	if v.ReadySeats != 1 || v.ReadySeatsAsked != 1 || v.Members != 1 {
		t.Errorf("after one join: %+v, want 1 ready of 1 asked, 1 member", v)
	}
	// Giving up the rest ends the seat nobody took.
	teacher.must(http.StatusOK, "POST", path, map[string]any{"seats": 0}, &v)
	deadline = time.Now().Add(time.Minute)
	for {
		left, _ := env.st.PoolSessions(context.Background(), eng.Config().Instance)
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("seats given up, the pool still holds %+v", left)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
