package classroom

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/store"
)

// fakePauser records the sessions a class pause or resume reached.
type fakePauser struct {
	mu      sync.Mutex
	paused  []string // "user/session"
	resumed []string
}

var _ Pauser = (*fakePauser)(nil)

func (p *fakePauser) Pause(_ context.Context, userID, id string) (*sessions.Session, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.paused = append(p.paused, userID+"/"+id)
	return &sessions.Session{ID: id}, nil
}

func (p *fakePauser) Resume(_ context.Context, userID, id string) (*sessions.Session, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.resumed = append(p.resumed, userID+"/"+id)
	return &sessions.Session{ID: id}, nil
}

// The rules of an instructor's actions on a class, on real nodes: each is
// the classroom's own instructor's; extensions stop at the longest
// lifetime and say so per learner; a message is plain text, kept until
// each learner dismisses it, and reaches one who joins later; a reset
// gives a fresh node at the same address and keeps the progress; a class
// pause goes through the Pauser, or is refused without one; everything is
// in the event log, and none of it counts as the learner's activity.
func TestInstructorActions(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	teacher := env.instructor(t, "teacher@school.example")
	other := env.instructor(t, "other@school.example")
	c, err := env.svc.Create(ctx, teacher.ID, NewClassroom{Name: "Docker 101", Lab: testLab, Lang: "en", SessionMinutes: 60})
	if err != nil {
		t.Fatal(err)
	}
	ana, err := env.svc.Join(ctx, c.Code, "ana", "Ana")
	if err != nil {
		t.Fatal(err)
	}
	seat := ana.Member.ID

	t.Run("extend", func(t *testing.T) {
		_, err := env.svc.Extend(ctx, other.ID, c.ID, "", 10)
		wantCode(t, "another instructor's extend", err, fault.ENOTFOUND)
		_, err = env.svc.Extend(ctx, teacher.ID, c.ID, "", 0)
		wantCode(t, "extending by 0 minutes", err, fault.EINVALID)
		_, err = env.svc.Extend(ctx, teacher.ID, c.ID, "", MaxExtendMinutes+1)
		wantCode(t, "extending by too much", err, fault.EINVALID)
		_, err = env.svc.Extend(ctx, teacher.ID, c.ID, sessions.NewID(), 10)
		wantCode(t, "extending a learner of no seat", err, fault.ENOTFOUND)

		before, _ := env.store.Member(ctx, c.ID, "ana")
		out, err := env.svc.Extend(ctx, teacher.ID, c.ID, seat, 10)
		if err != nil || len(out) != 1 || !out[0].Done || out[0].Capped || out[0].Name != "Ana" {
			t.Fatalf("extend Ana by 10 = %+v, %v", out, err)
		}
		if got := out[0].ExpiresAt.Sub(ana.Session.ExpiresAt); got != 10*time.Minute {
			t.Errorf("Ana's session moved by %v, want 10m", got)
		}
		// The longest lifetime (four times the manager's hour here) stops
		// the next one short, and then refuses: said per learner.
		out, err = env.svc.Extend(ctx, teacher.ID, c.ID, "", MaxExtendMinutes)
		if err != nil || len(out) != 1 || !out[0].Done || !out[0].Capped || !strings.Contains(out[0].Message, "at most") {
			t.Fatalf("extend everyone to the limit = %+v, %v", out, err)
		}
		s, _ := env.mgr.Get(ctx, "ana", ana.Session.ID)
		if want := s.CreatedAt.Add(4 * time.Hour); !s.ExpiresAt.Equal(want) {
			t.Errorf("Ana's session ends at %v, want its longest, %v", s.ExpiresAt, want)
		}
		out, err = env.svc.Extend(ctx, teacher.ID, c.ID, "", 5)
		if err != nil || len(out) != 1 || out[0].Done || !out[0].Capped || !strings.Contains(out[0].Message, "all the time") {
			t.Fatalf("extend past the limit = %+v, %v; want refused for Ana, saying why", out, err)
		}
		after, _ := env.store.Member(ctx, c.ID, "ana")
		if !after.LastActivityAt.Equal(before.LastActivityAt) {
			t.Errorf("the instructor's extension counted as Ana's activity: %v, then %v", before.LastActivityAt, after.LastActivityAt)
		}
		acts, err := env.svc.Actions(ctx, c, 10)
		if err != nil || len(acts) != 2 || acts[0].Kind != sessions.ActionExtend || acts[0].Name != "Ana" ||
			acts[0].Learner != seat || !strings.Contains(acts[0].Detail, "longest") || !strings.HasPrefix(acts[1].Detail, "+10 min") {
			t.Errorf("actions after two extensions = %+v, %v", acts, err)
		}
	})

	t.Run("message", func(t *testing.T) {
		_, err := env.svc.Message(ctx, other.ID, c.ID, "hello")
		wantCode(t, "another instructor's message", err, fault.ENOTFOUND)
		_, err = env.svc.Message(ctx, teacher.ID, c.ID, " \n ")
		wantCode(t, "an empty message", err, fault.EINVALID)
		_, err = env.svc.Message(ctx, teacher.ID, c.ID, strings.Repeat("é", MaxMessageLength+1))
		wantCode(t, "a message too long", err, fault.EINVALID)
		m, err := env.svc.Message(ctx, teacher.ID, c.ID, "<b>Break</b>   until 11:00\r\n\r\n\r\nthen section 3")
		if err != nil || m.Text != "<b>Break</b> until 11:00\n\nthen section 3" {
			t.Fatalf("message = %+v, %v; want the text as given, tidied, never made HTML", m, err)
		}
		n, err := env.svc.News(ctx, ana.Session)
		if err != nil || len(n.Messages) != 1 || n.Messages[0].ID != m.ID {
			t.Fatalf("Ana's news = %+v, %v", n, err)
		}
		// A learner who joins later sees it too; a dismissal is one's own.
		bob, err := env.svc.Join(ctx, c.Code, "bob", "Bob")
		if err != nil {
			t.Fatal(err)
		}
		if err := env.svc.Dismiss(ctx, ana.Session, m.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := env.svc.News(ctx, ana.Session); err != nil || len(n.Messages) != 0 {
			t.Errorf("Ana's news after she dismissed it = %+v, %v", n, err)
		}
		if n, err := env.svc.News(ctx, bob.Session); err != nil || len(n.Messages) != 1 {
			t.Errorf("Bob's news (joined later, never dismissed) = %+v, %v", n, err)
		}
		err = env.svc.Dismiss(ctx, &sessions.Session{ID: sessions.NewID(), UserID: "carl", Scope: c.ID}, m.ID)
		wantCode(t, "dismissing for someone of no seat", err, fault.ENOTFOUND)
		if err := env.mgr.Delete(ctx, "bob", bob.Session.ID); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("reset", func(t *testing.T) {
		node := ana.Session.Nodes[0]
		if _, code, err := env.eng.Exec(ctx, node.ContainerID, "echo mine > /root/mark", 30*time.Second); err != nil || code != 0 {
			t.Fatalf("write a file on the node: %d, %v", code, err)
		}
		if _, err := env.store.RecordAttempt(ctx, store.Attempt{Learner: store.Learner{UserID: "ana", Lab: c.Lab, Scope: c.ID},
			Section: "run", SessionID: ana.Session.ID, Kind: "ack", Passed: true}); err != nil {
			t.Fatal(err)
		}
		_, err := env.svc.Reset(ctx, other.ID, c.ID, seat, node.Name)
		wantCode(t, "another instructor's reset", err, fault.ENOTFOUND)
		_, err = env.svc.Reset(ctx, teacher.ID, c.ID, seat, "node9")
		wantCode(t, "resetting a node the session lacks", err, fault.ENOTFOUND)

		s, err := env.svc.Reset(ctx, teacher.ID, c.ID, seat, node.Name)
		if err != nil {
			t.Fatal(err)
		}
		fresh := s.Node(node.Name)
		if fresh == nil || fresh.ContainerID == node.ContainerID || fresh.Address != node.Address || fresh.Status != sessions.NodeRunning {
			t.Fatalf("after the reset %s is %+v; was %+v: want a new container at the same address", node.Name, fresh, node)
		}
		if out, code, err := env.eng.Exec(ctx, fresh.ContainerID, "cat /root/mark", 30*time.Second); err != nil || code == 0 {
			t.Errorf("the fresh node still has the old file: %q, %d, %v", out, code, err)
		}
		p, err := env.store.Progress(ctx, store.Learner{UserID: "ana", Lab: c.Lab, Scope: c.ID}, []string{"run"})
		if err != nil || p[0].Status != sessions.SectionDone {
			t.Errorf("Ana's progress after the reset = %+v, %v; want kept", p, err)
		}
		s, err = env.svc.Reset(ctx, teacher.ID, c.ID, seat, "")
		if err != nil || s.Nodes[0].ContainerID == fresh.ContainerID {
			t.Fatalf("resetting the whole session = %+v, %v; want every node new", s, err)
		}
		n, err := env.svc.News(ctx, ana.Session)
		if err != nil || len(n.Resets) != 2 || n.Resets[0].Kind != sessions.ActionResetSession ||
			n.Resets[1].Kind != sessions.ActionResetNode || n.Resets[1].Node != node.Name {
			t.Errorf("Ana's news of resets = %+v, %v", n, err)
		}
		ana.Session = s
	})

	t.Run("pause", func(t *testing.T) {
		_, err := env.svc.Pause(ctx, teacher.ID, c.ID, false)
		if !errors.Is(err, ErrNoPause) {
			t.Errorf("a class pause without a Pauser = %v, want ErrNoPause", err)
		}
		p := &fakePauser{}
		env.svc.SetPauser(p)
		defer env.svc.SetPauser(nil)
		_, err = env.svc.Pause(ctx, other.ID, c.ID, false)
		wantCode(t, "another instructor's pause", err, fault.ENOTFOUND)
		out, err := env.svc.Pause(ctx, teacher.ID, c.ID, false)
		want := "ana/" + ana.Session.ID // Bob's session has ended: only Ana's is live
		if err != nil || len(out) != 1 || !out[0].Done || len(p.paused) != 1 || p.paused[0] != want {
			t.Fatalf("class pause = %+v, %v; paused %v, want %s", out, err, p.paused, want)
		}
		if _, err := env.svc.Pause(ctx, teacher.ID, c.ID, true); err != nil || len(p.resumed) != 1 || p.resumed[0] != want {
			t.Fatalf("class resume: %v; resumed %v", err, p.resumed)
		}
		acts, _ := env.svc.Actions(ctx, c, 2)
		if len(acts) != 2 || acts[0].Kind != sessions.ActionResume || acts[1].Kind != sessions.ActionPause || acts[0].Name != "" {
			t.Errorf("latest actions = %+v; want the class's resume, then its pause", acts)
		}
	})

	t.Run("closed", func(t *testing.T) {
		if _, _, err := env.svc.Close(ctx, teacher.ID, c.ID); err != nil {
			t.Fatal(err)
		}
		_, err := env.svc.Extend(ctx, teacher.ID, c.ID, "", 5)
		wantCode(t, "extending a closed class", err, fault.ECONFLICT)
		_, err = env.svc.Message(ctx, teacher.ID, c.ID, "still there?")
		wantCode(t, "a message to a closed class", err, fault.ECONFLICT)
	})
}

func TestCleanMessage(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"  hi  there ", "hi there"},
		{"a\r\nb\rc", "a\nb\nc"},
		{"a\n\n\n\n\nb", "a\n\nb"},
		{"<script>alert(1)</script>", "<script>alert(1)</script>"},
	} {
		if got, err := cleanMessage(tc.in); err != nil || got != tc.want {
			t.Errorf("cleanMessage(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", " \n\t ", "bell\a", "\xff"} {
		if _, err := cleanMessage(bad); fault.ErrorCode(err) != fault.EINVALID {
			t.Errorf("cleanMessage(%q) = %v, want EINVALID", bad, err)
		}
	}
}
