package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/labplay/playground/client"
	"github.com/labplay/playground/sessions/manager"
)

// post sends a POST with the given extra headers and returns its status.
func post(t *testing.T, c *client.Client, path, body string, headers map[string]string) int {
	t.Helper()
	status, err := postStatus(c, path, body, headers)
	if err != nil {
		t.Fatal(err)
	}
	return status
}

// postStatus is post for goroutines: it returns the error instead.
func postStatus(c *client.Client, path, body string, headers map[string]string) (int, error) {
	req, _ := http.NewRequest("POST", c.Base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}

// The tests of this file need Postgres and no Docker (the harness's default): what
// they send is refused, or answered, before any node is touched.

func TestOtherSitesCannotActForALearner(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{Manager: manager.Config{MaxSessions: 1}})
	c := client.New(e.ts.URL)
	for _, h := range []map[string]string{
		{"Origin": "https://evil.example"},
		{"Sec-Fetch-Site": "cross-site"},
	} {
		if status := post(t, c, "/api/sessions", "", h); status != http.StatusForbidden {
			t.Errorf("cross-site POST with %v = %d, want 403", h, status)
		}
		if status := post(t, c, "/api/classrooms/join", `{"code":"ABCDEF","name":"x"}`, h); status != http.StatusForbidden {
			t.Errorf("cross-site join with %v = %d, want 403", h, status)
		}
	}
	var list struct{ Sessions []client.Session }
	if _, err := c.Do(t.Context(), "GET", "/api/sessions", nil, &list); err != nil || len(list.Sessions) != 0 {
		t.Fatalf("a refused request started a session: %+v %v", list, err)
	}
	// The site's own pages are let through.
	if status := post(t, c, "/api/classrooms/join", `{"code":"ABCDEF","name":"x"}`,
		map[string]string{"Origin": e.ts.URL, "Sec-Fetch-Site": "same-origin"}); status == http.StatusForbidden {
		t.Fatalf("same-origin request refused")
	}
}

func TestForwardedAddressesAreNotBelievedByDefault(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	c := client.New(e.ts.URL)
	// All at once, so the address's bucket cannot refill between them (each
	// login that gets through costs a slow password hash).
	const attempts = 14
	statuses := make(chan int, attempts)
	for i := 0; i < attempts; i++ {
		go func() {
			status, _ := postStatus(c, "/api/instructors/login",
				fmt.Sprintf(`{"email":"guess%d@school.example","password":"guess guess guess"}`, i),
				map[string]string{"X-Real-IP": fmt.Sprintf("198.51.100.%d", i+1), "X-Forwarded-For": fmt.Sprintf("203.0.113.%d", i+1)})
			statuses <- status
		}()
	}
	limited := 0
	for i := 0; i < attempts; i++ {
		if <-statuses == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Fatalf("%d logins from one address, each claiming another via X-Real-IP, were never rate-limited", attempts)
	}
}
