package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/store"
)

// quizLab is the built-in lab with a quiz: docker-basics, whose section
// publish asks publish-port (choice 0 is right, in English and French).
const (
	quizLab     = "docker-basics"
	quizSection = "publish"
	quizID      = "publish-port"
)

// quizSecrets are the parts of the quiz that only the server may hold: its
// feedback in both languages and the marks of its right choice.
var quizSecrets = []string{"Not quite", "Pas tout à fait", "[x]", "[ ]", "HOST:CONTAINER", "HÔTE:CONTENEUR"}

// seatIn gives the learner a seat and a running session of a classroom of
// lab, straight in the store and without nodes.
func seatIn(t *testing.T, e *env, learner *browser, classID, lab, lang, name string) *sessions.Session {
	t.Helper()
	ctx := context.Background()
	user := learner.userID()
	if err := e.store.EnsureUser(ctx, user); err != nil {
		t.Fatal(err)
	}
	if err := e.store.AddMember(ctx, &sessions.Member{ID: sessions.NewID(), ClassroomID: classID, UserID: user, Name: name}); err != nil {
		t.Fatal(err)
	}
	s := &sessions.Session{ID: sessions.NewID(), UserID: user, Lab: lab, Lang: lang, Scope: classID,
		Status: sessions.StatusRunning, ExpiresAt: time.Now().Add(time.Hour),
		Nodes: []sessions.Node{{Name: "node1", Status: sessions.NodeRunning}}}
	pool := store.Subnets{Pool: netip.MustParsePrefix("100.64.16.0/20"), Bits: 28}
	if err := e.store.CreateSession(ctx, s, pool, store.Limits{}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetMemberSession(ctx, classID, user, s.ID); err != nil {
		t.Fatal(err)
	}
	return s
}

// noSecret fails the test when an answer the page receives holds a part of
// the quiz's key.
func noSecret(t *testing.T, what string, body []byte) {
	t.Helper()
	for _, s := range quizSecrets {
		if bytes.Contains(body, []byte(s)) {
			t.Errorf("%s holds %q: %s", what, s, body)
		}
	}
}

// A quiz's answers never reach the page before the learner answers; the
// server grades answers in the session's language, records each in the
// event log, and shows the quiz in the classroom's report and CSV. Another
// learner cannot answer for the owner.
func TestQuizAnsweredThroughTheAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	teacher := addInstructor(t, e, "quiz@example.org")
	var class classroomView
	teacher.must(http.StatusCreated, "POST", "/api/classrooms",
		map[string]any{"name": "Quiz", "lab": quizLab, "lang": "fr", "session_minutes": 60}, &class)
	ana := newBrowser(t, e.ts.URL)
	s := seatIn(t, e, ana, class.ID, quizLab, "fr", "Ana")
	bob := newBrowser(t, e.ts.URL)
	bobs := seatIn(t, e, bob, class.ID, quizLab, "fr", "Bob")
	base := "/api/sessions/" + s.ID

	// What the page receives: the quiz without its answers.
	for _, lang := range []string{"en", "fr"} {
		status, body, _ := ana.do("GET", "/api/labs/"+quizLab+"?lang="+lang, nil)
		if status != http.StatusOK || !bytes.Contains(body, []byte(`"quizzes":[{"id":"publish-port","question":`)) {
			t.Fatalf("GET lab in %s = %d %.300s", lang, status, body)
		}
		noSecret(t, "the lab in "+lang, body)
	}
	var p struct {
		Sections []struct {
			ID      string                  `json:"id"`
			Status  string                  `json:"status"`
			Quizzes []sessions.QuizProgress `json:"quizzes"`
		} `json:"sections"`
	}
	status, body, _ := ana.do("GET", base+"/progress", nil)
	if status != http.StatusOK || !bytes.Contains(body, []byte(`"quizzes":[{"id":"publish-port","status":"pending","attempts":0}]`)) {
		t.Fatalf("progress = %d %s", status, body)
	}
	noSecret(t, "the progress", body)

	answer := func(c *browser, sessionID string, body any) (int, sessions.QuizResult) {
		t.Helper()
		var r sessions.QuizResult
		status, b, _ := c.do("POST", "/api/sessions/"+sessionID+"/quizzes/"+quizID+"/answer", body)
		if status == http.StatusOK {
			must(t, jsonDecode(b, &r))
		}
		return status, r
	}
	// Another learner's answer to Ana's quiz is refused as for no session.
	if status, _ := answer(bob, s.ID, map[string]any{"choices": []int{0}}); status != http.StatusNotFound {
		t.Fatalf("Bob answering in Ana's session: %d, want 404", status)
	}
	// A cross-site form cannot answer either.
	req, _ := http.NewRequest("POST", e.ts.URL+base+"/quizzes/"+quizID+"/answer", strings.NewReader(`{"choices":[0]}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if res, err := ana.http.Do(req); err != nil || res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site answer: %v %v, want 403", res, err)
	} else {
		res.Body.Close()
	}
	// Malformed answers and unknown quizzes.
	for _, tc := range []struct {
		path string
		body any
		want int
	}{
		{base + "/quizzes/" + quizID + "/answer", map[string]any{"choices": []int{3}}, http.StatusBadRequest},
		{base + "/quizzes/" + quizID + "/answer", map[string]any{"text": "8080"}, http.StatusBadRequest},
		{base + "/quizzes/" + quizID + "/answer", map[string]any{"guess": 1}, http.StatusBadRequest},
		{base + "/quizzes/" + quizID + "/answer", nil, http.StatusBadRequest},
		{base + "/quizzes/nope/answer", map[string]any{"choices": []int{0}}, http.StatusNotFound},
	} {
		if status, b, _ := ana.do("POST", tc.path, tc.body); status != tc.want {
			t.Errorf("POST %s %v = %d %s, want %d", tc.path, tc.body, status, b, tc.want)
		}
	}

	// Wrong, in French, with the lab's feedback; then right.
	if status, r := answer(ana, s.ID, map[string]any{"choices": []int{1}}); status != http.StatusOK || r.Correct ||
		!strings.HasPrefix(r.Feedback, "Pas tout à fait") || r.SectionDone {
		t.Fatalf("wrong answer = %d %+v", status, r)
	}
	if status, r := answer(ana, s.ID, map[string]any{"choices": []int{0, 1}}); status != http.StatusOK || r.Correct {
		t.Fatalf("two choices = %d %+v", status, r)
	}
	// Right: the quiz is done, but not the section, whose check fails
	// (this session has no nodes to pass it).
	if status, r := answer(ana, s.ID, map[string]any{"choices": []int{0}}); status != http.StatusOK || !r.Correct || r.Feedback != "" || r.SectionDone {
		t.Fatalf("right answer = %d %+v", status, r)
	}
	// An answer after the right one is logged, not counted.
	if status, r := answer(ana, s.ID, map[string]any{"choices": []int{2}}); status != http.StatusOK || r.Correct {
		t.Fatalf("wrong answer after the right one = %d %+v", status, r)
	}
	ana.must(http.StatusOK, "GET", base+"/progress", nil, &p)
	for _, sec := range p.Sections {
		if sec.ID == quizSection && (sec.Status != "pending" || len(sec.Quizzes) != 1 ||
			sec.Quizzes[0] != (sessions.QuizProgress{ID: quizID, Status: "done", Attempts: 3})) {
			t.Fatalf("progress of %s after answering: %+v", quizSection, sec)
		}
	}
	if status, r := answer(bob, bobs.ID, map[string]any{"choices": []int{2}}); status != http.StatusOK || r.Correct {
		t.Fatalf("Bob's wrong answer = %d %+v", status, r)
	}

	// The event log has every answer, with the answer given.
	rows, err := e.store.Pool().Query(context.Background(), `SELECT section, quiz, passed, output FROM progress_events
		WHERE kind = 'quiz' AND session_id = $1 ORDER BY id`, s.ID)
	must(t, err)
	var got []string
	for rows.Next() {
		var section, quiz, output string
		var passed bool
		must(t, rows.Scan(&section, &quiz, &passed, &output))
		got = append(got, strings.Join([]string{section, quiz, map[bool]string{true: "right", false: "wrong"}[passed], output}, " "))
	}
	must(t, rows.Err())
	want := []string{
		`publish publish-port wrong {"choices":[1],"text":null}`,
		`publish publish-port wrong {"choices":[0,1],"text":null}`,
		`publish publish-port right {"choices":[0],"text":null}`,
		`publish publish-port wrong {"choices":[2],"text":null}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The classroom's report and CSV show the quiz of each learner.
	var rep struct {
		Learners []struct {
			Name     string `json:"name"`
			Sections []struct {
				ID      string                  `json:"id"`
				Quizzes []sessions.QuizProgress `json:"quizzes"`
			} `json:"sections"`
		} `json:"learners"`
	}
	teacher.must(http.StatusOK, "GET", "/api/classrooms/"+class.ID+"/progress", nil, &rep)
	quizOf := map[string]sessions.QuizProgress{}
	for _, l := range rep.Learners {
		for _, sec := range l.Sections {
			for _, q := range sec.Quizzes {
				quizOf[l.Name] = q
			}
		}
	}
	if quizOf["Ana"] != (sessions.QuizProgress{ID: quizID, Status: "done", Attempts: 3}) ||
		quizOf["Bob"] != (sessions.QuizProgress{ID: quizID, Status: "failed", Attempts: 1}) {
		t.Fatalf("report's quizzes: %+v", quizOf)
	}
	status, body, _ = teacher.do("GET", "/api/classrooms/"+class.ID+"/progress.csv", nil)
	records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if status != http.StatusOK || err != nil {
		t.Fatalf("CSV: %d %v", status, err)
	}
	header := records[0]
	var quizRows []string
	for _, r := range records[1:] {
		if len(r) != len(header) {
			t.Fatalf("CSV row %v has %d cells, header %d", r, len(r), len(header))
		}
		if q := r[len(r)-1]; q != "" {
			quizRows = append(quizRows, strings.Join([]string{r[0], r[4], q, r[6], r[7]}, " "))
		}
	}
	if header[len(header)-1] != "quiz" || strings.Join(quizRows, "; ") != "Ana publish publish-port done 3; Bob publish publish-port failed 1" {
		t.Fatalf("CSV quiz rows: %v (header %v)", quizRows, header)
	}

	// A reset forgets the quizzes with the sections.
	ana.must(http.StatusNoContent, "POST", base+"/progress/reset", nil, nil)
	status, body, _ = ana.do("GET", base+"/progress", nil)
	if status != http.StatusOK || !bytes.Contains(body, []byte(`"quizzes":[{"id":"publish-port","status":"pending","attempts":0}]`)) {
		t.Fatalf("progress after reset = %d %s", status, body)
	}
}

// must fails the test on an error.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// jsonDecode decodes a JSON answer.
func jsonDecode(b []byte, v any) error {
	return json.Unmarshal(b, v)
}
