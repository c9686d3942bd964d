package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labplay/playground/client"
	"github.com/labplay/playground/sessions/manager"
)

// The limits of two server processes on one database, behind one load
// balancer, are counted once: a client spreading its requests over both
// gets no more than from one. Each test stops both processes' clocks at
// the same time, so no token comes back while it runs.

// twoServers starts two server processes on one database, with their
// limits' clocks stopped at the same time.
func twoServers(t *testing.T, cfg envConfig) (a, b *env) {
	t.Helper()
	a = newEnv(t, cfg)
	cfg.SameDB = a
	b = newEnv(t, cfg)
	stopped := time.Now()
	for _, e := range []*env{a, b} {
		e.srv.now = func() time.Time { return stopped }
		e.srv.logins.now = func() time.Time { return stopped }
	}
	return a, b
}

// Wrong classroom codes, device links that open nothing and login
// attempts from one address, spread over two processes, meet one limit.
// Postgres only.
func TestAddressLimitsAcrossServers(t *testing.T) {
	t.Parallel()
	a, b := twoServers(t, envConfig{Server: Config{TrustProxy: true}})
	// on returns a browser from addr on each process.
	on := func(addr string) []*browser {
		var list []*browser
		for _, e := range []*env{a, b} {
			c := newBrowser(t, e.ts.URL)
			c.ip = addr
			list = append(list, c)
		}
		return list
	}
	limited := func(what string, status int, h http.Header) {
		t.Helper()
		if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
			t.Fatalf("%s: %d (Retry-After %q), want 429 with Retry-After", what, status, h.Get("Retry-After"))
		}
	}

	codes := on("198.51.100.1")
	for i := range badCodeBurst {
		if status, body, _ := codes[i%2].do("GET", "/api/classrooms/join/ZZZZZZ", nil); status != http.StatusNotFound {
			t.Fatalf("wrong code %d: %d %s, want 404", i+1, status, body)
		}
	}
	for i, c := range codes {
		status, _, h := c.do("GET", "/api/classrooms/join/ZZZZZY", nil)
		limited("a wrong code past the burst, on process "+string(rune('A'+i)), status, h)
	}

	links := on("198.51.100.2")
	for i := range badLinkBurst {
		token := strings.Repeat("x", 42) + string(rune('a'+i))
		if status, body, _ := links[i%2].do("POST", "/api/continue", tokenRequest{Token: token}); status != http.StatusNotFound {
			t.Fatalf("wrong link %d: %d %s, want 404", i+1, status, body)
		}
	}
	for i, c := range links {
		status, _, h := c.do("POST", "/api/continue", tokenRequest{Token: strings.Repeat("y", 43)})
		limited("a wrong link past the burst, on process "+string(rune('A'+i)), status, h)
	}

	logins := on("198.51.100.3")
	login := func(c *browser, email string) (int, http.Header) {
		status, _, h := c.do("POST", "/api/instructors/login", map[string]string{"email": email, "password": "guess guess guess"})
		return status, h
	}
	for i := range loginIPBurst {
		// A new email each time: the address's limit is the one met.
		if status, _ := login(logins[i%2], "guess"+string(rune('a'+i))+"@school.example"); status != http.StatusUnauthorized {
			t.Fatalf("login %d: %d, want 401", i+1, status)
		}
	}
	for i, c := range logins {
		status, h := login(c, "someone@school.example")
		limited("a login past the address's burst, on process "+string(rune('A'+i)), status, h)
	}
}

// The terminals of one session are counted over both processes. Postgres
// only: the places are taken as the handler takes them, before any node is
// reached.
func TestTerminalPlacesAcrossServers(t *testing.T) {
	t.Parallel()
	a, b := twoServers(t, envConfig{})
	ctx := context.Background()
	var releases []func()
	defer func() {
		for _, release := range releases {
			release()
		}
	}()
	for i := range maxTermsPerSession {
		release, err := []*env{a, b}[i%2].srv.terms.admit(ctx, "session1")
		if err != nil {
			t.Fatalf("terminal %d of %d: %v", i+1, maxTermsPerSession, err)
		}
		releases = append(releases, release)
	}
	for _, e := range []*env{a, b} {
		if _, err := e.srv.terms.admit(ctx, "session1"); err == nil || !strings.Contains(err.Error(), "terminals open already") {
			t.Fatalf("a terminal past the cap: %v, want refused", err)
		}
	}
	releases[0]() // one of a's
	release, err := b.srv.terms.admit(ctx, "session1")
	if err != nil {
		t.Fatalf("the place a left, on b: %v", err)
	}
	releases[0] = release
	if release, err := a.srv.terms.admit(ctx, "session2"); err != nil {
		t.Fatalf("another session is held back: %v", err)
	} else {
		release()
	}
}

// With its database gone, a process still limits logins per address (in
// this process only): the attempts past the burst are refused before the
// database is asked, never let through.
func TestLoginLimitWithoutDatabase(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{Server: Config{TrustProxy: true}})
	stopped := time.Now()
	e.srv.logins.now = func() time.Time { return stopped }
	e.store.Close()
	c := newBrowser(t, e.ts.URL)
	c.ip = "198.51.100.4"
	for i := range loginIPBurst {
		status, body, _ := c.do("POST", "/api/instructors/login", map[string]string{"email": "guess" + string(rune('a'+i)) + "@school.example", "password": "guess guess guess"})
		if status != http.StatusServiceUnavailable {
			t.Fatalf("login %d without the database: %d %s, want 503 from the accounts", i+1, status, body)
		}
	}
	status, _, h := c.do("POST", "/api/instructors/login", map[string]string{"email": "someone@school.example", "password": "guess guess guess"})
	if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
		t.Fatalf("a login past the burst without the database: %d (Retry-After %q), want 429", status, h.Get("Retry-After"))
	}
}

// Session starts from one address, spread over two processes, meet one
// rate: the first start and nine refusals for the cap per address use the
// burst of ten, whichever process answered them.
func TestSessionStartsAcrossServers(t *testing.T) {
	a, b := twoServers(t, envConfig{Docker: true, Manager: manager.Config{MaxPerAddress: 1, MaxPerLearner: 20}})
	if _, err := client.New(a.ts.URL).CreateSession(t.Context(), "", ""); err != nil {
		t.Fatalf("first session: %v", err)
	}
	for i := range startBurst - 1 {
		// A fresh client each time: no cookie, as a script would do.
		base := []*env{b, a}[i%2].ts.URL
		if status := post(t, client.New(base), "/api/sessions", "", nil); status != http.StatusConflict {
			t.Fatalf("start %d: %d, want 409 (the cap per address)", i+2, status)
		}
	}
	for _, e := range []*env{a, b} {
		if status := post(t, client.New(e.ts.URL), "/api/sessions", "", nil); status != http.StatusTooManyRequests {
			t.Fatalf("a start past the burst: %d, want 429", status)
		}
	}
}

// A session's terminals, opened through both processes, meet one cap.
func TestTerminalsPerSessionAcrossServers(t *testing.T) {
	a, b := twoServers(t, envConfig{Docker: true})
	ctx := context.Background()
	ca, s := newLearner(t, a, "", "")
	cb := client.New(b.ts.URL)
	cb.HTTP.Jar = ca.HTTP.Jar // the same learner: cookies ignore the port
	var open []*client.Terminal
	defer func() {
		for _, tm := range open {
			tm.Close()
		}
	}()
	for i := range maxTermsPerSession {
		tm, err := []*client.Client{ca, cb}[i%2].Terminal(ctx, s.ID, "node1")
		if err != nil {
			t.Fatalf("terminal %d: %v", i+1, err)
		}
		open = append(open, tm)
	}
	for _, c := range []*client.Client{ca, cb} {
		if tm, err := c.Terminal(ctx, s.ID, "node2"); err == nil || !strings.Contains(err.Error(), "HTTP 429") {
			if tm != nil {
				tm.Close()
			}
			t.Fatalf("terminal %d: %v, want HTTP 429", maxTermsPerSession+1, err)
		}
	}
}
