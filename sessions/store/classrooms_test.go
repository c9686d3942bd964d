package store_test

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/store"
	"github.com/labplay/playground/sessions/store/storetest"
)

func newInstructor(t *testing.T, st *store.Store, email string) *sessions.Instructor {
	t.Helper()
	in := &sessions.Instructor{ID: sessions.NewID(), Email: email, PasswordHash: "hash"}
	if err := st.CreateInstructor(context.Background(), in); err != nil {
		t.Fatalf("create instructor: %v", err)
	}
	return in
}

func newClassroom(t *testing.T, st *store.Store, instructorID string, seats int) *sessions.Classroom {
	t.Helper()
	c := &sessions.Classroom{ID: sessions.NewID(), InstructorID: instructorID, Name: "Swarm 101", Lab: "docker-orchestration",
		Lang: "en", SessionMinutes: 90, Seats: seats}
	if err := st.CreateClassroom(context.Background(), c, freshCode()); err != nil {
		t.Fatalf("create classroom: %v", err)
	}
	return c
}

// freshCode returns a code maker that never repeats within a test binary.
var codeMu sync.Mutex
var codeN int

func freshCode() func() string {
	return func() string {
		codeMu.Lock()
		defer codeMu.Unlock()
		codeN++
		const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
		b := []byte("AAAAAA")
		for i, n := 5, codeN; i >= 0 && n > 0; i, n = i-1, n/len(alphabet) {
			b[i] = alphabet[n%len(alphabet)]
		}
		return string(b)
	}
}

func TestInstructorsAndLoginTokens(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t)
	ctx := context.Background()
	in := newInstructor(t, st, "Teacher@School.example")
	dup := &sessions.Instructor{ID: sessions.NewID(), Email: "teacher@school.example", PasswordHash: "x"}
	if err := st.CreateInstructor(ctx, dup); fault.ErrorCode(err) != fault.ECONFLICT {
		t.Fatalf("same email in another case: err = %v, want conflict", err)
	}
	got, err := st.InstructorByEmail(ctx, " TEACHER@school.example ")
	if err != nil || got.ID != in.ID {
		t.Fatalf("by email = %+v, %v", got, err)
	}
	if _, err := st.InstructorByEmail(ctx, "nobody@school.example"); fault.ErrorCode(err) != fault.ENOTFOUND {
		t.Fatalf("unknown email: err = %v, want not_found", err)
	}

	live, old := []byte("live-token-hash-0123456789abcdef"), []byte("old-token-hash-0123456789abcdefg")
	if err := st.CreateLoginToken(ctx, in.ID, live, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateLoginToken(ctx, in.ID, old, time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, err := st.InstructorByToken(ctx, live); err != nil || got.ID != in.ID {
		t.Fatalf("by live token = %+v, %v", got, err)
	}
	if _, err := st.InstructorByToken(ctx, old); fault.ErrorCode(err) != fault.EUNAUTHORIZED {
		t.Fatalf("expired token: err = %v, want unauthorized", err)
	}
	if err := st.DeleteLoginToken(ctx, live); err != nil {
		t.Fatal(err)
	}
	if _, err := st.InstructorByToken(ctx, live); fault.ErrorCode(err) != fault.EUNAUTHORIZED {
		t.Fatalf("revoked token: err = %v, want unauthorized", err)
	}

	// A new password ends every login.
	again := []byte("again-token-hash-0123456789abcde")
	if err := st.CreateLoginToken(ctx, in.ID, again, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.SetInstructorPassword(ctx, in.ID, "new-hash"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.InstructorByToken(ctx, again); fault.ErrorCode(err) != fault.EUNAUTHORIZED {
		t.Fatalf("token after a password change: err = %v, want unauthorized", err)
	}
	if got, _ := st.InstructorByEmail(ctx, in.Email); got.PasswordHash != "new-hash" {
		t.Fatalf("password hash = %q", got.PasswordHash)
	}
}

func TestClassroomCodes(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t)
	ctx := context.Background()
	in := newInstructor(t, st, "a@school.example")
	first := &sessions.Classroom{ID: sessions.NewID(), InstructorID: in.ID, Name: "A", Lab: "lab", Lang: "en", SessionMinutes: 60}
	if err := st.CreateClassroom(ctx, first, func() string { return "ABCDEF" }); err != nil {
		t.Fatal(err)
	}
	// The second draw collides, the third is fresh.
	draws := []string{"ABCDEF", "ABCDEF", "XYZ234"}
	second := &sessions.Classroom{ID: sessions.NewID(), InstructorID: in.ID, Name: "B", Lab: "lab", Lang: "en", SessionMinutes: 60}
	if err := st.CreateClassroom(ctx, second, func() string { d := draws[0]; draws = draws[1:]; return d }); err != nil {
		t.Fatal(err)
	}
	if second.Code != "XYZ234" || second.Status != sessions.ClassroomOpen {
		t.Fatalf("second classroom = %+v, want code XYZ234, open", second)
	}
	// Codes outside the alphabet never reach the table.
	bad := &sessions.Classroom{ID: sessions.NewID(), InstructorID: in.ID, Name: "C", Lab: "lab", Lang: "en", SessionMinutes: 60}
	if err := st.CreateClassroom(ctx, bad, func() string { return "ABCDE0" }); err == nil {
		t.Fatal("a code with a 0 was accepted")
	}
	got, err := st.ClassroomByCode(ctx, "XYZ234")
	if err != nil || got.ID != second.ID || got.Name != "B" {
		t.Fatalf("by code = %+v, %v", got, err)
	}
	list, err := st.InstructorClassrooms(ctx, in.ID)
	if err != nil || len(list) != 2 || list[0].ID != second.ID {
		t.Fatalf("instructor's classrooms = %v, %v (want newest first)", list, err)
	}
	other := newInstructor(t, st, "b@school.example")
	if list, _ := st.InstructorClassrooms(ctx, other.ID); len(list) != 0 {
		t.Fatalf("another instructor sees %d classrooms", len(list))
	}
}

func TestMembersSeatsAndClose(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t)
	ctx := context.Background()
	in := newInstructor(t, st, "a@school.example")
	c := newClassroom(t, st, in.ID, 3)
	join := func(name string) (*sessions.Member, error) {
		user := sessions.NewID()
		if err := st.EnsureUser(ctx, user); err != nil {
			t.Fatal(err)
		}
		m := &sessions.Member{ID: sessions.NewID(), ClassroomID: c.ID, UserID: user, Name: name}
		return m, st.AddMember(ctx, m)
	}
	ana, err := join("Ana")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := join("ANA"); fault.ErrorCode(err) != fault.ECONFLICT {
		t.Fatalf("same name in another case: err = %v, want conflict", err)
	}
	// Joining again keeps the seat and its id.
	again := &sessions.Member{ID: sessions.NewID(), ClassroomID: c.ID, UserID: ana.UserID, Name: "Other"}
	if err := st.AddMember(ctx, again); err != nil || again.ID != ana.ID || again.Name != "Ana" {
		t.Fatalf("second join of the same learner = %+v, %v", again, err)
	}

	// Seven learners race for the two seats left: exactly two get one.
	var wg sync.WaitGroup
	results := make([]error, 7)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, results[i] = join("Learner " + string(rune('A'+i)))
		}()
	}
	wg.Wait()
	seated := 0
	for _, err := range results {
		switch fault.ErrorCode(err) {
		case "":
			seated++
		case fault.ECONFLICT:
		default:
			t.Fatalf("join: %v", err)
		}
	}
	if seated != 2 {
		t.Fatalf("%d learners got the last 2 seats", seated)
	}
	got, _ := st.Classroom(ctx, c.ID)
	if got.Members != 3 {
		t.Fatalf("members = %d, want 3", got.Members)
	}

	// Start claims: one at a time.
	if ok, err := st.ClaimMemberStart(ctx, c.ID, ana.UserID, time.Minute); err != nil || !ok {
		t.Fatalf("first claim = %v, %v", ok, err)
	}
	if ok, _ := st.ClaimMemberStart(ctx, c.ID, ana.UserID, time.Minute); ok {
		t.Fatal("a second claim succeeded while the first was running")
	}
	pool := store.Subnets{Pool: netip.MustParsePrefix("100.64.0.0/26"), Bits: 28}
	sess := &sessions.Session{ID: sessions.NewID(), UserID: ana.UserID, Lab: c.Lab, Lang: "en", Scope: c.ID,
		Status: sessions.StatusRunning, ExpiresAt: time.Now().Add(time.Hour)}
	if err := st.CreateSession(ctx, sess, pool, store.Limits{}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetMemberSession(ctx, c.ID, ana.UserID, sess.ID); err != nil {
		t.Fatal(err)
	}
	m, err := st.Member(ctx, c.ID, ana.UserID)
	if err != nil || m.SessionID != sess.ID || m.SessionStatus != sessions.StatusRunning {
		t.Fatalf("member after start = %+v, %v", m, err)
	}
	if ok, _ := st.ClaimMemberStart(ctx, c.ID, ana.UserID, time.Minute); !ok {
		t.Fatal("the claim was not released when the session was recorded")
	}
	ids, err := st.LiveScopeSessions(ctx, c.ID)
	if err != nil || len(ids) != 1 || ids[0] != sess.ID {
		t.Fatalf("live sessions of the classroom = %v, %v", ids, err)
	}

	// Progress inside the classroom is the learner's activity.
	before := m.LastActivityAt
	if _, err := st.RecordAttempt(ctx, store.Attempt{Learner: store.Learner{UserID: ana.UserID, Lab: c.Lab, Scope: c.ID},
		Section: "swarm", SessionID: sess.ID, Kind: "check", Passed: false, Output: "not yet"}); err != nil {
		t.Fatal(err)
	}
	m, _ = st.Member(ctx, c.ID, ana.UserID)
	if !m.LastActivityAt.After(before) {
		t.Fatalf("last activity %v did not move past %v", m.LastActivityAt, before)
	}
	prog, err := st.ScopeProgress(ctx, c.ID, c.Lab, nil)
	if err != nil || len(prog[ana.UserID]) != 1 || prog[ana.UserID][0].Status != sessions.SectionFailed {
		t.Fatalf("scope progress = %v, %v", prog, err)
	}
	if prog, _ := st.ScopeProgress(ctx, "", c.Lab, nil); len(prog) != 0 {
		t.Fatalf("classroom progress leaked into anonymous practice: %v", prog)
	}

	members, err := st.Members(ctx, c.ID, []string{ana.UserID})
	if err != nil || len(members) != 1 || members[0].Name != "Ana" {
		t.Fatalf("members filtered = %v, %v", members, err)
	}

	changed, err := st.CloseClassroom(ctx, c.ID)
	if err != nil || !changed {
		t.Fatalf("close = %v, %v", changed, err)
	}
	if changed, _ := st.CloseClassroom(ctx, c.ID); changed {
		t.Fatal("closing twice reported a change")
	}
	if _, err := join("Late"); fault.ErrorCode(err) != fault.ECONFLICT {
		t.Fatalf("join after close: err = %v, want conflict", err)
	}
	got, _ = st.Classroom(ctx, c.ID)
	if got.Open() || got.ClosedAt.IsZero() {
		t.Fatalf("closed classroom = %+v", got)
	}
}
