package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labplay/playground/fault"
)

func TestInstructorLoginAndLogout(t *testing.T) {
	t.Parallel()
	env := newEnv(t, envConfig{})
	teacher := addInstructor(t, env, "Teacher@School.example")
	var me map[string]string
	teacher.must(http.StatusOK, "GET", "/api/instructors/me", nil, &me)
	if me["email"] != "teacher@school.example" {
		t.Fatalf("me = %v", me)
	}
	signed := teacher.cookie(instructorCookie)
	if signed == "" {
		t.Fatal("no instructor cookie after login")
	}
	// The cookie is signed: a changed token is refused before any lookup.
	forged := newBrowser(t, env.ts.URL)
	u, _ := url.Parse(env.ts.URL)
	first := "A"
	if signed[0] == 'A' { // the change must be a change
		first = "B"
	}
	forged.http.Jar.SetCookies(u, []*http.Cookie{{Name: instructorCookie, Value: first + signed[1:]}})
	if status, _, _ := forged.do("GET", "/api/instructors/me", nil); status != http.StatusUnauthorized {
		t.Fatalf("forged cookie = %d, want 401", status)
	}

	teacher.must(http.StatusNoContent, "POST", "/api/instructors/logout", nil, nil)
	if teacher.cookie(instructorCookie) != "" {
		t.Fatal("the cookie is still there after logout")
	}
	if status, _, _ := teacher.do("GET", "/api/instructors/me", nil); status != http.StatusUnauthorized {
		t.Fatalf("after logout = %d, want 401", status)
	}
	// Logout revokes the login itself: a copy of the old cookie is dead.
	replay := newBrowser(t, env.ts.URL)
	replay.http.Jar.SetCookies(u, []*http.Cookie{{Name: instructorCookie, Value: signed}})
	if status, _, _ := replay.do("GET", "/api/classrooms", nil); status != http.StatusUnauthorized {
		t.Fatalf("old cookie after logout = %d, want 401", status)
	}
	// Logging out twice, or without a login, is fine.
	replay.must(http.StatusNoContent, "POST", "/api/instructors/logout", nil, nil)
	// A login is shared by every process: it is checked in the database.
	env2 := newEnv(t, envConfig{SameDB: env})
	again := newBrowser(t, env.ts.URL)
	again.must(http.StatusNoContent, "POST", "/api/instructors/login",
		map[string]string{"email": "TEACHER@school.example", "password": "correct horse battery"}, nil)
	// (Cookies ignore ports, so the browser sends it to the second process.)
	again.on(env2.ts.URL).must(http.StatusOK, "GET", "/api/instructors/me", nil, nil)
}

func TestLoginFailuresLookAlike(t *testing.T) {
	t.Parallel()
	env := newEnv(t, envConfig{Server: Config{TrustProxy: true}})
	addInstructor(t, env, "teacher@school.example")
	c := newBrowser(t, env.ts.URL)
	c.ip = "192.0.2.1"
	s1, wrong, h1 := c.do("POST", "/api/instructors/login", map[string]string{"email": "teacher@school.example", "password": "not the password"})
	c.ip = "192.0.2.2"
	s2, unknown, h2 := c.do("POST", "/api/instructors/login", map[string]string{"email": "nobody@school.example", "password": "not the password"})
	if s1 != http.StatusUnauthorized || s1 != s2 || !bytes.Equal(wrong, unknown) {
		t.Fatalf("wrong password = %d %s; unknown email = %d %s; want the same 401", s1, wrong, s2, unknown)
	}
	if h1.Get("Set-Cookie") != "" && bytes.Contains([]byte(h1.Get("Set-Cookie")), []byte(instructorCookie)) {
		t.Fatal("a failed login set the instructor cookie")
	}
	_ = h2
	if status, _, _ := c.do("POST", "/api/instructors/login", map[string]string{"email": "teacher@school.example"}); status != http.StatusBadRequest {
		t.Fatalf("login without a password = %d, want 400", status)
	}
}

func TestLoginRateLimits(t *testing.T) {
	t.Parallel()
	env := newEnv(t, envConfig{Server: Config{TrustProxy: true}})
	// The clock stands still: no attempt comes back while the test runs.
	stopped := time.Now()
	env.srv.logins.now = func() time.Time { return stopped }
	addInstructor(t, env, "teacher@school.example")
	login := func(c *browser, email string) (int, http.Header, []byte) {
		status, body, h := c.do("POST", "/api/instructors/login", map[string]string{"email": email, "password": "guess guess guess"})
		return status, h, body
	}
	checkLimited := func(what string, status int, h http.Header, body []byte) {
		t.Helper()
		retry, err := strconv.Atoi(h.Get("Retry-After"))
		if status != http.StatusTooManyRequests || err != nil || retry < 1 || errorCode(t, body) != "rate_limited" {
			t.Fatalf("%s: %d Retry-After %q %s, want 429 with a Retry-After", what, status, h.Get("Retry-After"), body)
		}
	}

	t.Run("per address", func(t *testing.T) {
		c := newBrowser(t, env.ts.URL)
		c.ip = "198.51.100.7"
		for i := range loginIPBurst {
			if status, _, b := login(c, fmt.Sprintf("guess%d@school.example", i)); status != http.StatusUnauthorized {
				t.Fatalf("attempt %d = %d %s, want 401", i+1, status, b)
			}
		}
		status, h, body := login(c, "teacher@school.example")
		checkLimited("attempt past the address's burst", status, h, body)
		// Another address is not held back.
		c.ip = "198.51.100.8"
		if status, _, _ := login(c, "someone@school.example"); status != http.StatusUnauthorized {
			t.Fatalf("another address = %d, want 401", status)
		}
	})

	t.Run("per address and email", func(t *testing.T) {
		if _, err := env.classes.AddInstructor(context.Background(), "limited@school.example", "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		c := newBrowser(t, env.ts.URL)
		c.ip = "203.0.113.1"
		for i := range loginEmailBurst {
			if status, _, b := login(c, "Limited@school.example"); status != http.StatusUnauthorized {
				t.Fatalf("attempt %d = %d %s, want 401", i+1, status, b)
			}
		}
		status, h, body := login(c, "limited@SCHOOL.example")
		checkLimited("attempt past the pair's burst", status, h, body)
		// The guesser cannot lock the instructor out: from their own
		// address the right password still works.
		c.ip = "203.0.113.99"
		status, body, _ = c.do("POST", "/api/instructors/login", map[string]string{"email": "limited@school.example", "password": "correct horse battery"})
		if status != http.StatusNoContent {
			t.Fatalf("the instructor's own login while a guesser is limited = %d %s, want 204", status, body)
		}
	})

	t.Run("overlong email", func(t *testing.T) {
		c := newBrowser(t, env.ts.URL)
		c.ip = "203.0.113.200"
		long := strings.Repeat("a", 250) + "@school.example"
		for range loginIPBurst + 2 {
			if status, _, _ := login(c, long); status != http.StatusBadRequest {
				t.Fatalf("overlong email = %d, want 400 (and no attempt counted)", status)
			}
		}
		if status, _, _ := login(c, "someone@school.example"); status != http.StatusUnauthorized {
			t.Fatalf("after overlong emails = %d, want 401: they must not use up the address's attempts", status)
		}
	})
}

func TestLoginHashersAreBounded(t *testing.T) {
	t.Parallel()
	l := newLoginLimiter(nil, nil)
	var mu sync.Mutex
	running, most := 0, 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := l.hash(context.Background(), func() error {
				mu.Lock()
				running++
				most = max(most, running)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond) // a hash's work: long enough for hashes to overlap when the bound lets them
				mu.Lock()
				running--
				mu.Unlock()
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if most != loginHashers {
		t.Fatalf("at most %d hashes ran at once, want %d", most, loginHashers)
	}
	// With every hasher busy, a login whose context ends gives up.
	for range loginHashers {
		l.hashers <- struct{}{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := l.hash(ctx, func() error { t.Error("ran without a hasher"); return nil }); fault.ErrorCode(err) != fault.EUNAVAILABLE {
		t.Fatalf("hash with no free hasher = %v, want EUNAVAILABLE", err)
	}
}

func TestLoginLimiterAllows(t *testing.T) {
	t.Parallel()
	if err := newLoginLimiter(nil, nil).allow(context.Background(), "ip", "a@b"); err != nil {
		t.Fatal(err)
	}
}
