package server

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/classroom"
)

// classPaths are every instructor endpoint about one classroom.
func classPaths(id string) []struct{ method, path string } {
	return []struct{ method, path string }{
		{"GET", "/api/classrooms/" + id},
		{"GET", "/api/classrooms/" + id + "/progress"},
		{"GET", "/api/classrooms/" + id + "/progress.csv"},
		{"GET", "/api/classrooms/" + id + "/progress.json"},
		{"GET", "/api/classrooms/" + id + "/events"},
		{"POST", "/api/classrooms/" + id + "/ready"},
		{"POST", "/api/classrooms/" + id + "/close"},
	}
}

func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("not the JSON error shape: %s", body)
	}
	return e.Error.Code
}

func TestClassroomBoundaries(t *testing.T) {
	t.Parallel()
	env := newEnv(t, envConfig{})
	teacher := addInstructor(t, env, "teacher@school.example")
	other := addInstructor(t, env, "other@school.example")
	class := createClass(t, teacher, 0)
	if !classroom.ValidCode(class.Code) || !strings.HasSuffix(class.JoinURL, "/join/"+class.Code) || class.ID == "" {
		t.Fatalf("created classroom = %+v", class)
	}
	ana, bob := newBrowser(t, env.ts.URL), newBrowser(t, env.ts.URL)
	anaSess := seatDirectly(t, env, ana, class.ID, "Ana")
	bobSess := seatDirectly(t, env, bob, class.ID, "Bob")

	t.Run("learners get 401 on instructor endpoints", func(t *testing.T) {
		paths := append(classPaths(class.ID),
			struct{ method, path string }{"GET", "/api/classrooms"},
			struct{ method, path string }{"POST", "/api/classrooms"},
			struct{ method, path string }{"GET", "/api/instructors/me"})
		for _, p := range paths {
			var body any
			if p.method == "POST" {
				body = map[string]any{"name": "x", "lab": testLab}
			}
			status, b, _ := ana.do(p.method, p.path, body)
			if status != http.StatusUnauthorized || errorCode(t, b) != "unauthorized" {
				t.Errorf("learner %s %s = %d %s, want 401 unauthorized", p.method, p.path, status, b)
			}
		}
		// The pages send them to the login page instead.
		status, _, h := ana.do("GET", "/instructor/classrooms/"+class.ID, nil)
		if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/instructor/login") {
			t.Errorf("dashboard page for a learner = %d to %q, want a redirect to the login page", status, h.Get("Location"))
		}
	})

	t.Run("another instructor gets 404", func(t *testing.T) {
		for _, p := range classPaths(class.ID) {
			status, b, _ := other.do(p.method, p.path, nil)
			if status != http.StatusNotFound || errorCode(t, b) != "not_found" {
				t.Errorf("other instructor %s %s = %d %s, want 404", p.method, p.path, status, b)
			}
		}
		var list struct {
			Classrooms []classroomView `json:"classrooms"`
		}
		other.must(http.StatusOK, "GET", "/api/classrooms", nil, &list)
		if len(list.Classrooms) != 0 {
			t.Errorf("other instructor lists %d classrooms", len(list.Classrooms))
		}
		// Nor may they watch its learners' terminals.
		status, b, _ := other.do("GET", "/api/sessions/"+anaSess.ID+"/nodes/node1/terminal", nil)
		if status != http.StatusNotFound {
			t.Errorf("other instructor's terminal = %d %s, want 404", status, b)
		}
		// The classroom is still open after their attempt to close it.
		var v classroomView
		teacher.must(http.StatusOK, "GET", "/api/classrooms/"+class.ID, nil, &v)
		if v.Status != "open" {
			t.Errorf("classroom status = %s after another instructor's close", v.Status)
		}
		// Unknown and malformed ids answer the same.
		for _, id := range []string{sessions.NewID(), "nope", "..%2F..%2Fx"} {
			if status, _, _ := teacher.do("GET", "/api/classrooms/"+id+"/progress", nil); status != http.StatusNotFound {
				t.Errorf("progress of %q = %d, want 404", id, status)
			}
		}
	})

	t.Run("learners never see each other", func(t *testing.T) {
		for _, path := range []string{
			"/api/sessions/" + bobSess.ID,
			"/api/sessions/" + bobSess.ID + "/progress",
			"/api/sessions/" + bobSess.ID + "/nodes/node1/terminal",
		} {
			if status, b, _ := ana.do("GET", path, nil); status != http.StatusNotFound {
				t.Errorf("Ana GET %s = %d %s, want 404", path, status, b)
			}
		}
		var mine struct {
			Sessions []sessions.Session `json:"sessions"`
		}
		ana.must(http.StatusOK, "GET", "/api/sessions", nil, &mine)
		if len(mine.Sessions) != 1 || mine.Sessions[0].ID != anaSess.ID {
			t.Errorf("Ana's sessions = %+v, want hers only", mine.Sessions)
		}
		var look map[string]any
		ana.must(http.StatusOK, "GET", "/api/classrooms/join/"+class.Code, nil, &look)
		if m, _ := look["member"].(map[string]any); m["name"] != "Ana" {
			t.Errorf("lookup for Ana = %v", look)
		}
		if strings.Contains(mustJSON(look), "Bob") {
			t.Errorf("Ana's lookup mentions Bob: %v", look)
		}
	})

	t.Run("the instructor sees the class", func(t *testing.T) {
		// Ana acknowledges a section through the server, as her page does.
		ana.must(http.StatusOK, "POST", "/api/sessions/"+anaSess.ID+"/sections/"+ackSection+"/check", nil, nil)
		var rep struct {
			Sections []classroom.SectionInfo `json:"sections"`
			Learners []learnerRowJSON        `json:"learners"`
		}
		teacher.must(http.StatusOK, "GET", "/api/classrooms/"+class.ID+"/progress", nil, &rep)
		if len(rep.Learners) != 2 || rep.Learners[0].Name != "Ana" || rep.Learners[1].Name != "Bob" {
			t.Fatalf("learners = %+v", rep.Learners)
		}
		if rep.Learners[0].SessionID != anaSess.ID || rep.Learners[0].status(ackSection) != "done" ||
			rep.Learners[0].status(checkedSection) != "pending" || rep.Learners[1].status(ackSection) != "pending" {
			t.Fatalf("progress = %+v", rep.Learners)
		}
		if len(rep.Learners[0].Sections) != len(rep.Sections) || len(rep.Sections) < 2 {
			t.Fatalf("%d sections in a row, %d in the lab", len(rep.Learners[0].Sections), len(rep.Sections))
		}

		status, body, h := teacher.do("GET", "/api/classrooms/"+class.ID+"/progress.csv", nil)
		if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") ||
			!strings.Contains(h.Get("Content-Disposition"), "attachment") {
			t.Fatalf("csv = %d %v", status, h)
		}
		rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1+2*len(rep.Sections) || strings.Join(rows[0], ",") != strings.Join(classroom.CSVHeader, ",") {
			t.Fatalf("csv has %d rows (want %d), header %v", len(rows), 1+2*len(rep.Sections), rows[0])
		}
		if rows[1][0] != "Ana" || rows[1][4] != ackSection || rows[1][6] != "done" || rows[1][7] != "1" {
			t.Fatalf("first csv row = %v", rows[1])
		}
		last := rows[len(rows)-1]
		if last[0] != "Bob" || last[6] != "pending" || last[7] != "0" {
			t.Fatalf("last csv row = %v", last)
		}
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestCreateClassroomValidation(t *testing.T) {
	t.Parallel()
	env := newEnv(t, envConfig{})
	teacher := addInstructor(t, env, "teacher@school.example")
	for _, body := range []map[string]any{
		{"name": "", "lab": testLab},
		{"name": "x", "lab": "no-such-lab"},
		{"name": "x", "lab": testLab, "lang": "de"},
		{"name": "x", "lab": testLab, "session_minutes": 5},
		{"name": "x", "lab": testLab, "seats": -1},
		{"name": strings.Repeat("x", 101), "lab": testLab},
		{"name": "x", "lab": testLab, "extra": true},
	} {
		if status, b, _ := teacher.do("POST", "/api/classrooms", body); status != http.StatusBadRequest {
			t.Errorf("create %v = %d %s, want 400", body, status, b)
		}
	}
	var v classroomView
	teacher.must(http.StatusCreated, "POST", "/api/classrooms", map[string]any{"name": "  Swarm\t101 ", "lab": testLab}, &v)
	if v.Name != "Swarm 101" || v.Lang != "en" || v.SessionMinutes != classroom.DefaultSessionMinutes || v.Seats != 0 {
		t.Fatalf("defaults = %+v", v)
	}
}

func TestJoinRules(t *testing.T) {
	t.Parallel()
	env := newEnv(t, envConfig{})
	teacher := addInstructor(t, env, "teacher@school.example")
	class := createClass(t, teacher, 1)
	ana := newBrowser(t, env.ts.URL)
	anaSess := seatDirectly(t, env, ana, class.ID, "Ana")

	// Ana comes back with the same browser: her seat and her session.
	var got sessions.Session
	code := strings.ToLower(class.Code[:3]) + "-" + class.Code[3:]
	ana.must(http.StatusOK, "POST", "/api/classrooms/join", map[string]string{"code": code, "name": "whatever"}, &got)
	if got.ID != anaSess.ID || got.Lab != testLab {
		t.Fatalf("rejoin = %+v, want session %s", got, anaSess.ID)
	}

	bob := newBrowser(t, env.ts.URL)
	for _, tc := range []struct {
		code, name string
		status     int
		want       string
	}{
		{"ZZZZZZ", "Bob", http.StatusNotFound, "No class"},
		{"0O1IL!", "Bob", http.StatusNotFound, "No class"},
		{class.Code, "   ", http.StatusBadRequest, "empty"},
		{class.Code, "Bob", http.StatusConflict, "full"},
	} {
		status, b, _ := bob.do("POST", "/api/classrooms/join", map[string]string{"code": tc.code, "name": tc.name})
		if status != tc.status || !strings.Contains(string(b), tc.want) {
			t.Errorf("join %q as %q = %d %s, want %d mentioning %q", tc.code, tc.name, status, b, tc.status, tc.want)
		}
	}
	var look map[string]any
	bob.must(http.StatusOK, "GET", "/api/classrooms/join/"+class.Code, nil, &look)
	if look["full"] != true || look["member"] != nil || look["name"] != "Swarm 101" {
		t.Errorf("lookup by a newcomer to a full class = %v", look)
	}

	// Closing: the class says so, and progress stays. (The session is
	// ended beforehand: this test has no engine to remove nodes with.)
	ana.must(http.StatusOK, "POST", "/api/sessions/"+anaSess.ID+"/sections/"+ackSection+"/check", nil, nil)
	if err := env.store.EndSession(context.Background(), anaSess.ID, "test"); err != nil {
		t.Fatal(err)
	}
	var closed struct {
		Classroom classroomView `json:"classroom"`
		Ended     int           `json:"sessions_ended"`
	}
	teacher.must(http.StatusOK, "POST", "/api/classrooms/"+class.ID+"/close", nil, &closed)
	if closed.Classroom.Status != "closed" || closed.Ended != 0 {
		t.Fatalf("close = %+v", closed)
	}
	status, b, _ := ana.do("POST", "/api/classrooms/join", map[string]string{"code": class.Code, "name": "Ana"})
	if status != http.StatusConflict || !strings.Contains(string(b), "closed") {
		t.Errorf("join a closed class = %d %s, want 409 closed", status, b)
	}
	ana.must(http.StatusOK, "GET", "/api/classrooms/join/"+class.Code, nil, &look)
	if look["status"] != "closed" {
		t.Errorf("lookup of a closed class = %v", look)
	}
	var rep struct {
		Learners []learnerRowJSON `json:"learners"`
	}
	teacher.must(http.StatusOK, "GET", "/api/classrooms/"+class.ID+"/progress", nil, &rep)
	if len(rep.Learners) != 1 || rep.Learners[0].SessionStatus != "ended" || rep.Learners[0].status(ackSection) != "done" {
		t.Errorf("progress after close = %+v", rep.Learners)
	}
}
