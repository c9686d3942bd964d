package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/agent"
	"github.com/labplay/playground/sessions/manager"
)

// term is a terminal websocket as a browser holds it.
type term struct {
	t    *testing.T
	conn *websocket.Conn

	mu       sync.Mutex
	output   bytes.Buffer
	controls []map[string]any
	changed  chan struct{}
	closed   bool
	code     int // the close code, once closed
}

// openTerm opens a node's terminal with the browser's cookies.
func openTerm(t *testing.T, b *browser, sessionID, node string) (*term, *http.Response, error) {
	t.Helper()
	u, _ := url.Parse(b.base)
	d := websocket.Dialer{Jar: b.http.Jar, HandshakeTimeout: 30 * time.Second}
	conn, res, err := d.Dial("ws://"+u.Host+"/api/sessions/"+sessionID+"/nodes/"+node+"/terminal", nil)
	if err != nil {
		return nil, res, err
	}
	tm := &term{t: t, conn: conn, changed: make(chan struct{}, 1)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			_, msg, err := conn.ReadMessage()
			tm.mu.Lock()
			if err != nil {
				tm.closed = true
				if ce, ok := err.(*websocket.CloseError); ok {
					tm.code = ce.Code
				}
				tm.mu.Unlock()
				tm.poke()
				return
			}
			if len(msg) > 0 && msg[0] == msgInput {
				tm.output.Write(msg[1:])
			} else if len(msg) > 0 && msg[0] == msgControl {
				var m map[string]any
				json.Unmarshal(msg[1:], &m)
				tm.controls = append(tm.controls, m)
			}
			tm.mu.Unlock()
			tm.poke()
		}
	}()
	t.Cleanup(func() {
		conn.Close()
		<-done
	})
	return tm, res, nil
}

func (tm *term) poke() {
	select {
	case tm.changed <- struct{}{}:
	default:
	}
}

// send writes one message of the browser protocol.
func (tm *term) send(typ byte, payload string) {
	tm.t.Helper()
	if err := tm.conn.WriteMessage(websocket.BinaryMessage, append([]byte{typ}, payload...)); err != nil {
		tm.t.Fatalf("send: %v", err)
	}
}

// waitFor waits until cond holds on the output and control messages seen.
func (tm *term) waitFor(what string, cond func(out string, controls []map[string]any, closed bool) bool) {
	tm.t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		tm.mu.Lock()
		ok := cond(tm.output.String(), tm.controls, tm.closed)
		tm.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-tm.changed:
		case <-deadline:
			tm.mu.Lock()
			defer tm.mu.Unlock()
			tm.t.Fatalf("waiting for %s; output so far:\n%s\ncontrols: %v", what, tm.output.String(), tm.controls)
		}
	}
}

func (tm *term) waitOutput(s string) {
	tm.t.Helper()
	tm.waitFor("output "+s, func(out string, _ []map[string]any, _ bool) bool { return strings.Contains(out, s) })
}

func (tm *term) waitControl(typ string, match func(map[string]any) bool) map[string]any {
	tm.t.Helper()
	var found map[string]any
	tm.waitFor("control "+typ, func(_ string, cs []map[string]any, _ bool) bool {
		for _, c := range cs {
			if c["type"] == typ && (match == nil || match(c)) {
				found = c
				return true
			}
		}
		return false
	})
	return found
}

func (tm *term) text() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.output.String()
}

// An instructor watches a learner's terminal live and can never type in it;
// closing the class ends the learner's session and keeps their progress.
// Needs Docker and the node image.
func TestInstructorWatchesReadOnly(t *testing.T) {
	env := newEnv(t, envConfig{Docker: true, Manager: manager.Config{MaxSessions: 4}})
	teacher := addInstructor(t, env, "teacher@school.example")
	class := createClass(t, teacher, 0)

	ana := newBrowser(t, env.ts.URL)
	var sess sessions.Session
	ana.must(http.StatusCreated, "POST", "/api/classrooms/join", map[string]string{"code": class.Code, "name": "Ana"}, &sess)
	if sess.Status != sessions.StatusRunning || len(sess.Nodes) != 3 {
		t.Fatalf("joined session = %+v", sess)
	}

	mine, _, err := openTerm(t, ana, sess.ID, "node1")
	if err != nil {
		t.Fatal(err)
	}
	mine.waitControl("replay-end", nil)
	if info := mine.waitControl("info", nil); info["readonly"] != false {
		t.Fatalf("learner's info = %v", info)
	}
	watch, _, err := openTerm(t, teacher, sess.ID, "node1")
	if err != nil {
		t.Fatalf("instructor's terminal: %v", err)
	}
	if info := watch.waitControl("info", nil); info["readonly"] != true {
		t.Fatalf("instructor's info = %v, want readonly", info)
	}
	watch.waitControl("replay-end", nil)

	// The instructor types: the server drops it and says so.
	watch.send(msgInput, "echo INJECTED-$((2+3))\r")
	watch.send(msgResize, `{"cols":20,"rows":5}`)
	watch.waitControl("error", func(m map[string]any) bool { return strings.Contains(m["message"].(string), "read-only") })

	// The learner types; both see it, the instructor live.
	mine.send(msgInput, "echo MARK-$((40+2))\r")
	mine.waitOutput("MARK-42")
	watch.waitOutput("MARK-42")

	// The agent itself refuses input from a read-only attachment.
	stored, err := env.store.Session(context.Background(), sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	node := stored.Node("node1")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stream, err := env.engine.Attach(ctx, node.ContainerID, agent.AttachRequest{Term: termName, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	if err := stream.WriteFrame(agent.FrameInput, []byte("echo AGENT-$((3+4))\r")); err != nil {
		t.Fatal(err)
	}
	for {
		typ, payload, err := stream.ReadFrame()
		if err != nil {
			t.Fatalf("read-only attachment: %v", err)
		}
		if typ == agent.FrameError {
			if !strings.Contains(strings.ToLower(string(payload)), "read-only") {
				t.Fatalf("agent error = %s", payload)
			}
			break
		}
	}
	mine.send(msgInput, "echo MARK-$((50+5))\r")
	mine.waitOutput("MARK-55")
	watch.waitOutput("MARK-55")
	if out := mine.text(); strings.Contains(out, "INJECTED") || strings.Contains(out, "AGENT-") {
		t.Fatalf("read-only input reached the shell:\n%s", out)
	}

	// A learner's progress, then the class closes: the session ends, its
	// nodes go, the progress stays.
	ana.must(http.StatusOK, "POST", "/api/sessions/"+sess.ID+"/sections/"+ackSection+"/check", nil, nil)
	var closed struct {
		Ended int `json:"sessions_ended"`
	}
	teacher.must(http.StatusOK, "POST", "/api/classrooms/"+class.ID+"/close", nil, &closed)
	if closed.Ended != 1 {
		t.Fatalf("sessions ended = %d, want 1", closed.Ended)
	}
	mine.waitFor("the learner's terminal to close", func(_ string, _ []map[string]any, closed bool) bool { return closed })
	after, err := env.store.Session(context.Background(), sess.ID)
	if err != nil || after.Live() {
		t.Fatalf("session after close = %+v, %v", after, err)
	}
	onEngine, err := env.engine.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := onEngine[sess.ID]; ok {
		t.Fatal("the session's containers are still on the engine")
	}
	var rep struct {
		Learners []learnerRowJSON `json:"learners"`
	}
	teacher.must(http.StatusOK, "GET", "/api/classrooms/"+class.ID+"/progress", nil, &rep)
	if len(rep.Learners) != 1 || rep.Learners[0].status(ackSection) != "done" || rep.Learners[0].SessionStatus != "ended" {
		t.Fatalf("progress after close = %+v", rep.Learners)
	}
	if status, _, _ := ana.do("POST", "/api/classrooms/join", map[string]string{"code": class.Code, "name": "Ana"}); status != http.StatusConflict {
		t.Fatalf("join after close = %d, want 409", status)
	}
}

// Logging out ends the instructor's live connections within seconds: the
// dashboard's stream and the terminals they watch. Needs Docker and the
// node image.
func TestLogoutEndsInstructorViews(t *testing.T) {
	env := newEnv(t, envConfig{Docker: true, Manager: manager.Config{MaxSessions: 4}})
	teacher := addInstructor(t, env, "watcher@school.example")
	class := createClass(t, teacher, 0)
	ana := newBrowser(t, env.ts.URL)
	var sess sessions.Session
	ana.must(http.StatusCreated, "POST", "/api/classrooms/join", map[string]string{"code": class.Code, "name": "Ana"}, &sess)
	stream := openStream(t, teacher, class.ID)
	if ev := stream.next(); ev.name != "snapshot" {
		t.Fatalf("first event = %s", ev.name)
	}
	watch, _, err := openTerm(t, teacher, sess.ID, "node1")
	if err != nil {
		t.Fatal(err)
	}
	watch.waitControl("replay-end", nil)

	teacher.must(http.StatusNoContent, "POST", "/api/instructors/logout", nil, nil)
	loggedOut := time.Now()
	watch.waitFor("the watched terminal to close", func(_ string, _ []map[string]any, closed bool) bool { return closed })
	watch.mu.Lock()
	code := watch.code
	watch.mu.Unlock()
	if code != 4401 {
		t.Errorf("watched terminal closed with %d, want 4401", code)
	}
	for ended := false; !ended; {
		select {
		case ev, ok := <-stream.events:
			ended = !ok
			if ok && ev.name == "snapshot" {
				t.Errorf("a snapshot after logout")
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the dashboard's stream is still open 30 s after logout")
		}
	}
	t.Logf("both ended %v after logout", time.Since(loggedOut).Round(100*time.Millisecond))
	// The learner's own terminal is untouched.
	mine, _, err := openTerm(t, ana, sess.ID, "node1")
	if err != nil {
		t.Fatal(err)
	}
	mine.send(msgInput, "echo STILL-$((6*7))\r")
	mine.waitOutput("STILL-42")
}
