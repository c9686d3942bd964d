package server

import (
	"net/http"
	"testing"
)

// Two server processes share one database: the learner works on A, the
// instructor watches on B. Every change reaches B's stream through
// Postgres, since A and B share nothing else.
func TestDashboardAcrossProcesses(t *testing.T) {
	t.Parallel()
	a := newEnv(t, envConfig{})
	b := newEnv(t, envConfig{SameDB: a})
	teacher := addInstructor(t, b, "teacher@school.example")
	class := createClass(t, teacher, 0)
	ana := newBrowser(t, a.ts.URL)
	anaSess := seatDirectly(t, a, ana, class.ID, "Ana")

	stream := openStream(t, teacher, class.ID)
	snap := reportOf(t, stream.next())
	if snap.Classroom.ID != class.ID || len(snap.Learners) != 1 || len(snap.Sections) == 0 {
		t.Fatalf("snapshot = %+v", snap)
	}

	// A check result recorded by process A turns the cell done on B.
	ana.must(http.StatusOK, "POST", "/api/sessions/"+anaSess.ID+"/sections/"+ackSection+"/check", nil, nil)
	row := stream.waitLearner("Ana", func(l learnerRowJSON) bool { return l.status(ackSection) == "done" })
	if row.Done != 1 || row.SessionID != anaSess.ID || row.status(checkedSection) != "pending" {
		t.Fatalf("Ana's row = %+v", row)
	}

	// A learner who joins on A appears on B.
	bob := newBrowser(t, a.ts.URL)
	seatDirectly(t, a, bob, class.ID, "Bob")
	stream.waitLearner("Bob", func(l learnerRowJSON) bool { return l.SessionStatus == "running" })

	// A reset on A empties Ana's row on B.
	ana.must(http.StatusNoContent, "POST", "/api/sessions/"+anaSess.ID+"/progress/reset", nil, nil)
	stream.waitLearner("Ana", func(l learnerRowJSON) bool { return l.Done == 0 && l.status(ackSection) == "pending" })

	// A second stream of another instructor is refused, and learners never
	// get one.
	other := addInstructor(t, a, "other@school.example")
	if status, _, _ := other.do("GET", "/api/classrooms/"+class.ID+"/events", nil); status != http.StatusNotFound {
		t.Fatalf("other instructor's stream = %d, want 404", status)
	}
	if status, _, _ := ana.do("GET", "/api/classrooms/"+class.ID+"/events", nil); status != http.StatusUnauthorized {
		t.Fatalf("learner's stream = %d, want 401", status)
	}
}

// Closing the class, on either process, sends a new snapshot that says so.
func TestDashboardSeesTheClassClose(t *testing.T) {
	t.Parallel()
	a := newEnv(t, envConfig{})
	b := newEnv(t, envConfig{SameDB: a})
	teacher := addInstructor(t, a, "teacher@school.example")
	class := createClass(t, teacher, 0)
	stream := openStream(t, teacher.on(b.ts.URL), class.ID)
	if snap := reportOf(t, stream.next()); snap.Classroom.Status != "open" {
		t.Fatalf("first snapshot = %+v", snap.Classroom)
	}
	teacher.must(http.StatusOK, "POST", "/api/classrooms/"+class.ID+"/close", nil, nil)
	for {
		ev := stream.next()
		if ev.name == "snapshot" && reportOf(t, ev).Classroom.Status == "closed" {
			return
		}
	}
}
