package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/labplay/playground/client"
	"github.com/labplay/playground/sessions/manager"
)

// status returns the HTTP status of a client's API error, or 0.
func status(err error) int {
	s, _ := apiStatus(err)
	return s
}

// apiStatus returns the HTTP status and error code of a client error.
func apiStatus(err error) (int, string) {
	var e *client.APIError
	if errors.As(err, &e) {
		return e.Status, e.Code
	}
	return 0, ""
}

func TestSessionLifecycleAndBoundaries(t *testing.T) {
	e := newEnv(t, envConfig{Docker: true, Manager: manager.Config{MaxSessions: 1}})
	ctx := context.Background()
	owner, stranger := client.New(e.ts.URL), client.New(e.ts.URL)

	s, err := owner.CreateSession(ctx, "", "")
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if len(s.ID) < 22 || s.Status != "running" || len(s.Nodes) != 3 {
		t.Fatalf("created session = %+v", s)
	}
	for i, n := range s.Nodes {
		if want := "node" + string(rune('1'+i)); n.Name != want || n.Status != "running" || !strings.HasPrefix(n.Address, "100.64.") {
			t.Fatalf("node %d = %+v", i, n)
		}
	}
	if d := time.Until(s.ExpiresAt); d < 59*time.Minute || d > 61*time.Minute {
		t.Fatalf("expires in %v, want about an hour", d)
	}

	t.Run("host full", func(t *testing.T) {
		_, err := stranger.CreateSession(ctx, "", "")
		status, code := apiStatus(err)
		if status != http.StatusServiceUnavailable || code != "full" {
			t.Fatalf("second session with room for one: %v", err)
		}
		resp, _ := stranger.Do(ctx, http.MethodPost, "/api/sessions", nil, nil)
		if resp == nil || resp.Header.Get("Retry-After") == "" {
			t.Fatal("a full host answered without Retry-After")
		}
	})

	t.Run("only the owner sees it", func(t *testing.T) {
		if got, err := owner.Session(ctx, s.ID); err != nil || got.ID != s.ID {
			t.Fatalf("owner get: %v %+v", err, got)
		}
		for _, try := range []func() error{
			func() error { _, err := stranger.Session(ctx, s.ID); return err },
			func() error { return stranger.DeleteSession(ctx, s.ID) },
			func() error {
				_, err := stranger.Do(ctx, "GET", "/api/sessions/"+s.ID+"/progress", nil, nil)
				return err
			},
			func() error { _, err := stranger.StartSection(ctx, s.ID, "intro", true); return err },
			func() error { _, err := owner.Session(ctx, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"); return err },
			func() error { _, err := owner.Session(ctx, "not-an-id"); return err },
		} {
			if status, code := apiStatus(try()); status != 404 || code != "not_found" {
				t.Fatalf("got %d %s, want 404 not_found", status, code)
			}
		}
		if _, err := stranger.Terminal(ctx, s.ID, "node1"); err == nil || !strings.Contains(err.Error(), "HTTP 404") {
			t.Fatalf("stranger's terminal: %v, want HTTP 404", err)
		}
		// The learner cookie is HttpOnly and SameSite, and a changed one is
		// a stranger's.
		res, err := http.Get(e.ts.URL + "/api/labs")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		var learner *http.Cookie
		for _, ck := range res.Cookies() {
			if ck.Name == "playground_learner" {
				learner = ck
			}
		}
		if learner == nil || !learner.HttpOnly || learner.SameSite != http.SameSiteLaxMode {
			t.Fatalf("learner cookie = %+v", learner)
		}
		u, _ := url.Parse(e.ts.URL)
		var mine string
		for _, ck := range owner.HTTP.Jar.Cookies(u) {
			if ck.Name == "playground_learner" {
				mine = ck.Value
			}
		}
		tampered := client.New(e.ts.URL)
		last := mine[len(mine)-1]
		swap := byte('A')
		if last == 'A' {
			swap = 'B'
		}
		tampered.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: "playground_learner", Value: mine[:len(mine)-1] + string(swap)}})
		if _, err := tampered.Session(ctx, s.ID); err == nil {
			t.Fatal("a tampered learner cookie reached the owner's session")
		}
		list := struct{ Sessions []client.Session }{}
		if _, err := stranger.Do(ctx, "GET", "/api/sessions", nil, &list); err != nil || len(list.Sessions) != 0 {
			t.Fatalf("stranger's list = %+v, %v", list, err)
		}
	})

	t.Run("malformed requests", func(t *testing.T) {
		for _, c := range []struct {
			body   string
			status int
			code   string
		}{
			{`{"lab":`, 400, "invalid"},
			{`[1,2]`, 400, "invalid"},
			{`{"lab":"docker-orchestration","colour":"red"}`, 400, "invalid"},
			{`{"lab":"no-such-lab"}`, 404, "not_found"},
			{`{"lab":"docker-orchestration","lang":"xx"}`, 400, "invalid"},
			{`{"lang":"fr"}`, 400, "invalid"},
			{`{"lab":"` + strings.Repeat("a", 70<<10) + `"}`, 413, "too_large"},
		} {
			req, _ := http.NewRequest("POST", e.ts.URL+"/api/sessions", strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			res, err := owner.HTTP.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var body struct {
				Error struct{ Code, Message string }
			}
			decode(t, res, &body)
			if res.StatusCode != c.status || body.Error.Code != c.code || body.Error.Message == "" {
				t.Errorf("POST %.40q = %d %+v, want %d %s", c.body, res.StatusCode, body, c.status, c.code)
			}
		}
		if _, err := owner.Terminal(ctx, s.ID, "node9"); err == nil || !strings.Contains(err.Error(), "HTTP 404") {
			t.Errorf("unknown node: %v, want HTTP 404", err)
		}
		d := websocket.Dialer{Jar: owner.HTTP.Jar}
		_, res, err := d.Dial("ws"+strings.TrimPrefix(e.ts.URL, "http")+"/api/sessions/"+s.ID+"/nodes/node1/terminal",
			http.Header{"Origin": {"https://evil.example"}})
		if err == nil || res == nil || res.StatusCode != http.StatusForbidden {
			t.Errorf("foreign origin: %v, want HTTP 403", err)
		}
	})

	t.Run("terminal", func(t *testing.T) { testTerminal(t, e, owner, s.ID) })

	t.Run("a node that died", func(t *testing.T) {
		if err := e.docker.ContainerKill(ctx, containerOf(t, e, s.ID, "node2"), "KILL"); err != nil {
			t.Fatal(err)
		}
		got, err := owner.Session(ctx, s.ID)
		if err != nil || got.Nodes[1].Status != "stopped" || got.Nodes[0].Status != "running" {
			t.Fatalf("after killing node2: %+v, %v", got, err)
		}
		term, err := owner.Terminal(ctx, s.ID, "node2")
		if err != nil {
			t.Fatal(err)
		}
		defer term.Close()
		err = term.WaitClosed(30 * time.Second)
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 4503 || !strings.Contains(ce.Text, "node2") {
			t.Fatalf("terminal of a dead node ended with %v, want close 4503 naming node2", err)
		}
		// The other nodes go on working.
		term1, err := owner.Terminal(ctx, s.ID, "node1")
		if err != nil {
			t.Fatal(err)
		}
		defer term1.Close()
		term1.Send("echo still-$((40+2))\r")
		if err := term1.WaitOutput("still-42", 30*time.Second); err != nil {
			t.Fatal(err)
		}
		// A node that runs is not restarted.
		if _, err := owner.Do(ctx, "POST", "/api/sessions/"+s.ID+"/nodes/node1/restart", nil, nil); status(err) != http.StatusConflict {
			t.Fatalf("restart of running node1: %v, want 409", err)
		}
		// The learner restarts node2: it comes back with its engine and a
		// fresh shell, and the other nodes are untouched.
		var got2 client.Session
		if _, err := stranger.Do(ctx, "POST", "/api/sessions/"+s.ID+"/nodes/node2/restart", nil, nil); err == nil {
			t.Fatal("a stranger restarted the node")
		}
		if _, err := owner.Do(ctx, "POST", "/api/sessions/"+s.ID+"/nodes/node2/restart", nil, &got2); err != nil {
			t.Fatalf("restart node2: %v", err)
		}
		if got2.Nodes[1].Status != "running" {
			t.Fatalf("after restart: %+v", got2.Nodes[1])
		}
		term2, err := owner.Terminal(ctx, s.ID, "node2")
		if err != nil {
			t.Fatal(err)
		}
		defer term2.Close()
		term2.Send("docker info --format 'engine-{{.ServerVersion}}' && hostname -i\r")
		if err := term2.WaitOutput("engine-", 60*time.Second); err != nil {
			t.Fatal(err)
		}
		if err := term2.WaitOutput(s.Nodes[1].Address, 10*time.Second); err != nil {
			t.Fatalf("node2 came back with another address: %v", err)
		}
	})

	t.Run("delete removes everything", func(t *testing.T) {
		vols := e.volumesOf(s.ID)
		if len(vols) != 3 {
			t.Fatalf("session has %d volumes, want one per node", len(vols))
		}
		if err := owner.DeleteSession(ctx, s.ID); err != nil {
			t.Fatal(err)
		}
		if c, n := e.leftovers(s.ID); c != 0 || n != 0 {
			t.Fatalf("after delete: %d containers and %d networks left", c, n)
		}
		for _, v := range vols {
			if e.volumeExists(v) {
				t.Fatalf("volume %s survived the session", v)
			}
		}
		got, err := owner.Session(ctx, s.ID)
		if err != nil || got.Status != "ended" {
			t.Fatalf("after delete: %+v, %v", got, err)
		}
		if err := owner.DeleteSession(ctx, s.ID); err != nil {
			t.Fatalf("deleting twice: %v", err)
		}
		if _, err := owner.Terminal(ctx, s.ID, "node1"); err == nil {
			t.Fatal("an ended session's terminal opened")
		}
		// The room is free again.
		s2, err := stranger.CreateSession(ctx, "", "")
		if err != nil {
			t.Fatalf("create after delete: %v", err)
		}
		stranger.DeleteSession(ctx, s2.ID)
	})
}
