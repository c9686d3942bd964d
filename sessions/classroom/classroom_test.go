package classroom

import (
	"context"
	"testing"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/manager"
)

// What the classroom rules decide, on real nodes: a classroom is its
// instructor's alone; a learner who joins gets a session of its lab, in
// its scope, and goes back to it on joining again; only the classroom's
// instructor may watch it; closing ends it and lets nobody in.
func TestJoinWatchAndClose(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	teacher := env.instructor(t, "teacher@school.example")
	other := env.instructor(t, "other@school.example")
	c, err := env.svc.Create(ctx, teacher.ID, NewClassroom{Name: "  Docker   101 ", Lab: testLab, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Docker 101" || !c.Open() || c.SessionMinutes != DefaultSessionMinutes || !ValidCode(c.Code) {
		t.Errorf("created %+v", c)
	}
	_, err = env.svc.Get(ctx, other.ID, c.ID)
	wantCode(t, "another instructor's Get", err, fault.ENOTFOUND)
	if list, err := env.svc.List(ctx, other.ID); err != nil || len(list) != 0 {
		t.Errorf("another instructor's list = %v, %v; want none", list, err)
	}

	j, err := env.svc.Join(ctx, c.Code, "ana", "Ana")
	if err != nil {
		t.Fatal(err)
	}
	if !j.Created || j.Session.Scope != c.ID || j.Session.Lab != testLab || j.Member.Name != "Ana" || len(j.Session.Nodes) != 1 {
		t.Fatalf("joined %+v, session %+v", j, j.Session)
	}
	again, err := env.svc.Join(ctx, NormalizeCode(" "+c.Code+" "), "ana", "Another name")
	if err != nil || again.Created || again.Session.ID != j.Session.ID || again.Member.Name != "Ana" {
		t.Fatalf("joining again = %+v, %v; want back to session %s as Ana", again, err, j.Session.ID)
	}
	_, err = env.svc.Join(ctx, c.Code, "bob", "ANA")
	wantCode(t, "a name taken in the classroom", err, fault.ECONFLICT)
	_, err = env.svc.Join(ctx, "ZZZZZZ", "bob", "Bob")
	wantCode(t, "an unknown code", err, fault.ENOTFOUND)

	// Watching: the classroom's instructor only, and only its sessions.
	if w, err := env.svc.Watch(ctx, teacher.ID, j.Session.ID); err != nil || w.ID != j.Session.ID {
		t.Errorf("the instructor's Watch = %+v, %v", w, err)
	}
	_, err = env.svc.Watch(ctx, other.ID, j.Session.ID)
	wantCode(t, "another instructor's Watch", err, fault.ENOTFOUND)
	own, err := env.mgr.Create(ctx, manager.NewSession{UserID: "carl", ClientAddr: "127.0.0.1", Lab: testLab})
	if err != nil {
		t.Fatal(err)
	}
	_, err = env.svc.Watch(ctx, teacher.ID, own.ID)
	wantCode(t, "watching a session of no classroom", err, fault.ENOTFOUND)
	_, err = env.svc.Watch(ctx, teacher.ID, sessions.NewID())
	wantCode(t, "watching an unknown session", err, fault.ENOTFOUND)

	// Closing: the instructor's alone; it ends the classroom's sessions
	// and no other.
	_, _, err = env.svc.Close(ctx, other.ID, c.ID)
	wantCode(t, "another instructor's Close", err, fault.ENOTFOUND)
	closed, ended, err := env.svc.Close(ctx, teacher.ID, c.ID)
	if err != nil || closed.Open() || ended != 1 {
		t.Fatalf("Close = %+v, %d, %v; want closed with 1 session ended", closed, ended, err)
	}
	if s, err := env.mgr.Get(ctx, "ana", j.Session.ID); err != nil || s.Live() {
		t.Errorf("ana's session after the close: %+v, %v; want ended", s, err)
	}
	if s, err := env.mgr.Get(ctx, "carl", own.ID); err != nil || !s.Live() {
		t.Errorf("carl's session, of no classroom, after the close: %+v, %v; want live", s, err)
	}
	_, err = env.svc.Join(ctx, c.Code, "dina", "Dina")
	wantCode(t, "joining a closed classroom", err, fault.ECONFLICT)
	rows, err := env.svc.Learners(ctx, closed, nil)
	if err != nil || len(rows) != 1 || rows[0].Name != "Ana" || rows[0].SessionStatus != sessions.StatusEnded {
		t.Errorf("the report after the close = %+v, %v; want Ana, her session ended", rows, err)
	}
}
