package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/store"
)

// testLab is the lab classrooms are created with; its first section has no
// check, so a learner acknowledges it without any node.
const (
	testLab        = "docker-orchestration"
	ackSection     = "orchestration"
	checkedSection = "swarm"
)

// browser is a browser: a cookie jar and, optionally, a forwarded address.
type browser struct {
	t    *testing.T
	base string
	http *http.Client
	ip   string // sent as X-Forwarded-For when set (for a server that trusts a proxy)
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, http: &http.Client{Jar: jar, Timeout: 2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// on returns a client with the same cookies talking to another process.
func (c *browser) on(base string) *browser {
	return &browser{t: c.t, base: base, http: c.http, ip: c.ip}
}

// do sends a request with a JSON body (unless body is nil) and returns the
// status, the body and the headers.
func (c *browser) do(method, path string, body any) (int, []byte, http.Header) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.ip != "" {
		req.Header.Set("X-Forwarded-For", c.ip)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b, res.Header
}

// must sends a request and fails the test unless the status is want; it
// decodes a JSON answer into out when out is not nil.
func (c *browser) must(want int, method, path string, body, out any) {
	c.t.Helper()
	status, b, _ := c.do(method, path, body)
	if status != want {
		c.t.Fatalf("%s %s = %d %s, want %d", method, path, status, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

// userID returns the learner identity in the client's cookie, visiting the
// site first when it has none.
func (c *browser) userID() string {
	c.t.Helper()
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == learnerCookie {
			return ck.Value[:strings.LastIndexByte(ck.Value, '.')]
		}
	}
	c.must(http.StatusOK, "GET", "/api/labs", nil, nil)
	return c.userID()
}

// cookie returns the value of the client's cookie called name.
func (c *browser) cookie(name string) string {
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// addInstructor creates an account and returns a client logged in with it.
func addInstructor(t *testing.T, env *env, email string) *browser {
	t.Helper()
	if _, err := env.classes.AddInstructor(context.Background(), email, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	c := newBrowser(t, env.ts.URL)
	c.must(http.StatusNoContent, "POST", "/api/instructors/login", map[string]string{"email": email, "password": "correct horse battery"}, nil)
	return c
}

// createClass creates a classroom through the API.
func createClass(t *testing.T, teacher *browser, seats int) classroomView {
	t.Helper()
	var v classroomView
	teacher.must(http.StatusCreated, "POST", "/api/classrooms",
		map[string]any{"name": "Swarm 101", "lab": testLab, "lang": "en", "session_minutes": 60, "seats": seats}, &v)
	return v
}

// seatDirectly gives the learner a seat and a running session of the
// classroom straight in the store, without nodes: for tests that never
// reach the engine.
func seatDirectly(t *testing.T, env *env, learner *browser, classID, name string) *sessions.Session {
	t.Helper()
	ctx := context.Background()
	user := learner.userID()
	if err := env.store.EnsureUser(ctx, user); err != nil {
		t.Fatal(err)
	}
	m := &sessions.Member{ID: sessions.NewID(), ClassroomID: classID, UserID: user, Name: name}
	if err := env.store.AddMember(ctx, m); err != nil {
		t.Fatalf("seat %s: %v", name, err)
	}
	s := &sessions.Session{ID: sessions.NewID(), UserID: user, Lab: testLab, Lang: "en", Scope: classID,
		Status: sessions.StatusRunning, ExpiresAt: time.Now().Add(time.Hour)}
	for _, n := range sessions.NodeNames {
		s.Nodes = append(s.Nodes, sessions.Node{Name: n, Status: sessions.NodeRunning})
	}
	pool := store.Subnets{Pool: netip.MustParsePrefix("100.64.0.0/20"), Bits: 28}
	if err := env.store.CreateSession(ctx, s, pool, store.Limits{}); err != nil {
		t.Fatal(err)
	}
	if err := env.store.SetMemberSession(ctx, classID, user, s.ID); err != nil {
		t.Fatal(err)
	}
	return s
}

// sseEvent is one server-sent event.
type sseEvent struct {
	name string
	data []byte
}

// sseStream reads a dashboard stream.
type sseStream struct {
	t      *testing.T
	res    *http.Response
	events chan sseEvent
}

// openStream opens the live stream of a classroom; it is closed when the
// test ends.
func openStream(t *testing.T, c *browser, classID string) *sseStream {
	t.Helper()
	req, _ := http.NewRequest("GET", c.base+"/api/classrooms/"+classID+"/events", nil)
	hc := &http.Client{Jar: c.http.Jar} // no timeout: the stream lives on
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		t.Fatalf("open stream: %d %s", res.StatusCode, b)
	}
	s := &sseStream{t: t, res: res, events: make(chan sseEvent, 256)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(s.events)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					s.events <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = []byte(strings.TrimPrefix(line, "data: "))
			}
		}
	}()
	t.Cleanup(func() {
		res.Body.Close()
		<-done
	})
	return s
}

// next returns the next event, failing the test after a generous wait.
func (s *sseStream) next() sseEvent {
	s.t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			s.t.Fatal("the stream ended")
		}
		return ev
	case <-time.After(30 * time.Second):
		s.t.Fatal("no event from the stream")
	}
	return sseEvent{}
}

// reportOf decodes a snapshot event.
func reportOf(t *testing.T, ev sseEvent) report {
	t.Helper()
	if ev.name != "snapshot" {
		t.Fatalf("event %q, want snapshot", ev.name)
	}
	var r report
	if err := json.Unmarshal(ev.data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// learnerRowJSON is a learner row as clients decode it.
type learnerRowJSON struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	SessionID     string `json:"session_id"`
	SessionStatus string `json:"session_status"`
	Done          int    `json:"done"`
	Sections      []struct {
		ID       string `json:"id"`
		Status   string `json:"status"`
		Attempts int    `json:"attempts"`
		Hint     string `json:"hint"`
	} `json:"sections"`
}

// status returns the row's status of a section.
func (l learnerRowJSON) status(section string) string {
	for _, s := range l.Sections {
		if s.ID == section {
			return s.Status
		}
	}
	return ""
}

// waitLearner reads events until a learner row named name satisfies ok.
func (s *sseStream) waitLearner(name string, ok func(learnerRowJSON) bool) learnerRowJSON {
	s.t.Helper()
	for {
		ev := s.next()
		var rows []learnerRowJSON
		switch ev.name {
		case "learner":
			var row learnerRowJSON
			if err := json.Unmarshal(ev.data, &row); err != nil {
				s.t.Fatal(err)
			}
			rows = []learnerRowJSON{row}
		case "snapshot":
			var r struct {
				Learners []learnerRowJSON `json:"learners"`
			}
			if err := json.Unmarshal(ev.data, &r); err != nil {
				s.t.Fatal(err)
			}
			rows = r.Learners
		}
		for _, row := range rows {
			if row.Name == name && ok(row) {
				return row
			}
		}
	}
}
