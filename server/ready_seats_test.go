package server

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/labplay/playground/internal/waitfor"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/manager"
)

// An instructor has seats made ready before the class; a learner who joins
// gets one of them, and the dashboard's count follows. Needs Docker and
// the node image.
func TestClassroomReadySeats(t *testing.T) {
	env := newEnv(t, envConfig{Docker: true, Manager: manager.Config{MaxSessions: 5}})
	runManager(t, env)
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
	waitfor.Until(t, "2 ready seats", 2*time.Minute, func() error {
		teacher.must(http.StatusOK, "GET", "/api/classrooms/"+class.ID, nil, &v)
		if v.ReadySeats < 2 {
			return fmt.Errorf("%d ready", v.ReadySeats)
		}
		return nil
	})
	warm, err := env.store.PoolSessions(context.Background(), env.instance)
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
	waitfor.Until(t, "the seats given up to end", time.Minute, func() error {
		left, err := env.store.PoolSessions(context.Background(), env.instance)
		if err != nil {
			return err
		}
		if len(left) != 0 {
			return fmt.Errorf("the pool still holds %+v", left)
		}
		return nil
	})
}
