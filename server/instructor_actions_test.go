package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/manager"
	"github.com/labplay/playground/sessions/store"
)

// newsJSON is a learner's news as the page decodes it.
type newsJSON struct {
	Classroom bool      `json:"classroom"`
	Status    string    `json:"status"`
	ExpiresAt time.Time `json:"expires_at"`
	Messages  []struct {
		ID   int64  `json:"id"`
		Text string `json:"text"`
	} `json:"messages"`
}

// openSSE opens a server-sent event stream at path with c's cookies; it is
// closed when the test ends.
func openSSE(t *testing.T, c *browser, path string) *sseStream {
	t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	res, err := (&http.Client{Jar: c.http.Jar}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		t.Fatalf("open %s: %d %s", path, res.StatusCode, b)
	}
	s := &sseStream{t: t, res: res, events: make(chan sseEvent, 256)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(s.events)
		sc := bufio.NewScanner(res.Body)
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

// waitNews reads a learner's stream until its news satisfy ok.
func (s *sseStream) waitNews(ok func(newsJSON) bool) newsJSON {
	s.t.Helper()
	for {
		ev := s.next()
		if ev.name != "news" {
			continue
		}
		var n newsJSON
		if err := json.Unmarshal(ev.data, &n); err != nil {
			s.t.Fatal(err)
		}
		if ok(n) {
			return n
		}
	}
}

// outcomesJSON is the answer of a class-wide action.
type outcomesJSON struct {
	Outcomes []struct {
		Name      string    `json:"name"`
		Done      bool      `json:"done"`
		Capped    bool      `json:"capped"`
		ExpiresAt time.Time `json:"expires_at"`
		Message   string    `json:"message"`
	} `json:"outcomes"`
}

// The instructor's actions through the API, on two server processes that
// share only the database: the instructor acts on B, the learners' pages
// listen on A. Postgres only: these sessions have no nodes (the resets,
// which need them, are in the classroom rules' and the end-to-end tests).
func TestInstructorActionsAPI(t *testing.T) {
	cfg := manager.Config{Lifetime: time.Hour, MaxLifetime: 90 * time.Minute}
	a := newEnv(t, envConfig{Manager: cfg})
	b := newEnv(t, envConfig{Manager: cfg, SameDB: a})
	teacher := addInstructor(t, b, "teacher@school.example")
	other := addInstructor(t, b, "other@school.example")
	class := createClass(t, teacher, 0)
	ana, bob := newBrowser(t, a.ts.URL), newBrowser(t, a.ts.URL)
	anaSess := seatDirectly(t, a, ana, class.ID, "Ana")
	bobSess := seatDirectly(t, a, bob, class.ID, "Bob")
	var rep report
	teacher.must(http.StatusOK, "GET", "/api/classrooms/"+class.ID+"/progress", nil, &rep)
	seats := map[string]string{}
	for _, l := range rep.Learners {
		seats[l.Name] = l.ID
		if l.SessionExpiresAt.IsZero() {
			t.Errorf("%s's row has no session end", l.Name)
		}
	}
	base := "/api/classrooms/" + class.ID
	actions := []struct{ path, body string }{
		{base + "/extend", `{"minutes":10}`},
		{base + "/learners/" + seats["Ana"] + "/extend", `{"minutes":10}`},
		{base + "/learners/" + seats["Ana"] + "/reset", `{"node":"node1"}`},
		{base + "/learners/" + seats["Ana"] + "/reset", `{}`},
		{base + "/messages", `{"text":"hello"}`},
		{base + "/pause", `{}`},
		{base + "/resume", `{}`},
	}

	t.Run("only the classroom's own instructor", func(t *testing.T) {
		for _, act := range actions {
			var body any
			json.Unmarshal([]byte(act.body), &body)
			if status, b, _ := other.do("POST", act.path, body); status != http.StatusNotFound || errorCode(t, b) != "not_found" {
				t.Errorf("another instructor's POST %s = %d %s, want 404", act.path, status, b)
			}
			if status, b, _ := ana.do("POST", act.path, body); status != http.StatusUnauthorized {
				t.Errorf("a learner's POST %s = %d %s, want 401", act.path, status, b)
			}
			// Another site's page is refused, as for every POST.
			req, _ := http.NewRequest("POST", teacher.base+act.path, strings.NewReader(act.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			res, err := teacher.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("a cross-site POST %s = %d, want 403", act.path, res.StatusCode)
			}
		}
		if status, _, _ := other.do("GET", base+"/actions", nil); status != http.StatusNotFound {
			t.Errorf("another instructor's actions = %d, want 404", status)
		}
		// Nothing was done: the log is empty.
		var got struct {
			Actions []sessions.Action `json:"actions"`
		}
		teacher.must(http.StatusOK, "GET", base+"/actions", nil, &got)
		if len(got.Actions) != 0 {
			t.Errorf("actions after refusals = %+v", got.Actions)
		}
	})

	t.Run("a learner's news are theirs", func(t *testing.T) {
		if status, _, _ := bob.do("GET", "/api/sessions/"+anaSess.ID+"/news", nil); status != http.StatusNotFound {
			t.Errorf("Bob reading Ana's news = %d, want 404", status)
		}
		if status, _, _ := bob.do("GET", "/api/sessions/"+anaSess.ID+"/news/events", nil); status != http.StatusNotFound {
			t.Errorf("Bob opening Ana's stream = %d, want 404", status)
		}
		// A session of no classroom has no stream: 204 tells EventSource to stop.
		carl := newBrowser(t, a.ts.URL)
		own := &sessions.Session{ID: sessions.NewID(), UserID: carl.userID(), Status: sessions.StatusRunning, ExpiresAt: time.Now().Add(time.Hour)}
		if err := a.store.EnsureUser(context.Background(), own.UserID); err != nil {
			t.Fatal(err)
		}
		pool := store.Subnets{Pool: netip.MustParsePrefix("100.64.0.0/20"), Bits: 28}
		if err := a.store.CreateSession(context.Background(), own, pool, store.Limits{}); err != nil {
			t.Fatal(err)
		}
		if status, b, _ := carl.do("GET", "/api/sessions/"+own.ID+"/news/events", nil); status != http.StatusNoContent {
			t.Errorf("the stream of a session of no classroom = %d %s, want 204", status, b)
		}
		var n newsJSON
		carl.must(http.StatusOK, "GET", "/api/sessions/"+own.ID+"/news", nil, &n)
		if n.Classroom || len(n.Messages) != 0 {
			t.Errorf("news of a session of no classroom = %+v", n)
		}
	})

	anaNews := openSSE(t, ana, "/api/sessions/"+anaSess.ID+"/news/events")
	first := anaNews.waitNews(func(newsJSON) bool { return true })
	if !first.Classroom || first.Status != "running" || first.ExpiresAt.Sub(anaSess.ExpiresAt).Abs() > time.Millisecond {
		t.Fatalf("Ana's first news = %+v; her session ends at %v", first, anaSess.ExpiresAt)
	}
	dash := openSSE(t, teacher, base+"/events")
	if ev := dash.next(); ev.name != "snapshot" {
		t.Fatalf("the dashboard's first event is %q", ev.name)
	}

	t.Run("extend", func(t *testing.T) {
		var out outcomesJSON
		teacher.must(http.StatusOK, "POST", base+"/learners/"+seats["Ana"]+"/extend", map[string]int{"minutes": 10}, &out)
		if len(out.Outcomes) != 1 || !out.Outcomes[0].Done || out.Outcomes[0].Capped {
			t.Fatalf("extend Ana = %+v", out)
		}
		n := anaNews.waitNews(func(n newsJSON) bool { return n.ExpiresAt.After(first.ExpiresAt) })
		if got := n.ExpiresAt.Sub(first.ExpiresAt); got != 10*time.Minute {
			t.Errorf("Ana's page heard her session moved by %v, want 10m", got)
		}
		// Everyone: 60 more minutes, but a session lives 90 minutes at
		// most, which each learner's outcome says.
		teacher.must(http.StatusOK, "POST", base+"/extend", map[string]int{"minutes": 60}, &out)
		if len(out.Outcomes) != 2 {
			t.Fatalf("extend everyone = %+v", out)
		}
		for _, o := range out.Outcomes {
			if !o.Done || !o.Capped || !strings.Contains(o.Message, "Only") {
				t.Errorf("%s's outcome = %+v; want extended to the limit, saying so", o.Name, o)
			}
		}
		teacher.must(http.StatusOK, "POST", base+"/extend", map[string]int{"minutes": 5}, &out)
		if len(out.Outcomes) != 2 || out.Outcomes[0].Done || !strings.Contains(out.Outcomes[0].Message, "all the time") {
			t.Errorf("extend past the limit = %+v; want refused per learner", out)
		}
		if status, b, _ := teacher.do("POST", base+"/extend", map[string]int{"minutes": 0}); status != http.StatusBadRequest {
			t.Errorf("extend by 0 = %d %s, want 400", status, b)
		}
		dash.waitLearner("Ana", func(l learnerRowJSON) bool { return true })
		for {
			ev := dash.next()
			if ev.name != "actions" {
				continue
			}
			var got struct {
				Actions []sessions.Action `json:"actions"`
			}
			json.Unmarshal(ev.data, &got)
			if len(got.Actions) == 3 {
				if a := got.Actions[0]; a.Kind != "extend" || !strings.Contains(a.Detail, "longest") {
					t.Errorf("the dashboard's latest action = %+v", a)
				}
				break
			}
		}
	})

	t.Run("message", func(t *testing.T) {
		text := "<img src=x onerror=alert(1)> Break until 11:00"
		var m sessions.ClassMessage
		teacher.must(http.StatusCreated, "POST", base+"/messages", map[string]string{"text": text}, &m)
		if m.Text != text {
			t.Errorf("message = %+v, want the text as sent", m)
		}
		n := anaNews.waitNews(func(n newsJSON) bool { return len(n.Messages) == 1 })
		if n.Messages[0].Text != text || n.Messages[0].ID != m.ID {
			t.Errorf("Ana's page got %+v", n.Messages)
		}
		if status, b, _ := teacher.do("POST", base+"/messages", map[string]string{"text": strings.Repeat("x", 501)}); status != http.StatusBadRequest {
			t.Errorf("a message too long = %d %s, want 400", status, b)
		}
		dismiss := "/api/sessions/" + anaSess.ID + "/messages/"
		if status, _, _ := bob.do("POST", dismiss+itoa(m.ID)+"/dismiss", nil); status != http.StatusNotFound {
			t.Errorf("Bob dismissing through Ana's session = %d, want 404", status)
		}
		for _, bad := range []string{"0", "abc", itoa(m.ID + 1000)} {
			if status, _, _ := ana.do("POST", dismiss+bad+"/dismiss", nil); status != http.StatusNotFound {
				t.Errorf("dismissing message %s = %d, want 404", bad, status)
			}
		}
		ana.must(http.StatusNoContent, "POST", dismiss+itoa(m.ID)+"/dismiss", nil, nil)
		var after newsJSON
		ana.must(http.StatusOK, "GET", "/api/sessions/"+anaSess.ID+"/news", nil, &after)
		if len(after.Messages) != 0 {
			t.Errorf("Ana's news after she dismissed = %+v", after.Messages)
		}
		bob.must(http.StatusOK, "GET", "/api/sessions/"+bobSess.ID+"/news", nil, &after)
		if len(after.Messages) != 1 {
			t.Errorf("Bob's news = %+v; want the message he did not dismiss", after.Messages)
		}
	})

	t.Run("a server that cannot pause says so", func(t *testing.T) {
		// These sessions have no nodes, so this server's classroom rules
		// are given no Pauser (the end-to-end tests pause a class).
		status, b, _ := teacher.do("POST", base+"/pause", nil)
		if status != http.StatusNotImplemented || errorCode(t, b) != "not_implemented" {
			t.Errorf("class pause = %d %s, want 501 from a server that cannot pause", status, b)
		}
	})

	t.Run("the stream ends with the session", func(t *testing.T) {
		if err := a.store.EndSession(context.Background(), anaSess.ID, "test"); err != nil {
			t.Fatal(err)
		}
		anaNews.waitNews(func(n newsJSON) bool { return n.Status == "ended" })
		select {
		case _, open := <-anaNews.events:
			if open {
				t.Error("an event after the session ended")
			}
		case <-time.After(10 * time.Second):
			t.Error("the stream stayed open after the session ended")
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
