package server

import (
	"net/http"
	"sync"
	"testing"
)

// A class looking up its code all at once, from one router, is never
// limited; wrong codes sent all at once are all charged, so the address is
// then refused for longer.
func TestCodesAllAtOnce(t *testing.T) {
	t.Parallel()
	env := newEnv(t, envConfig{})
	teacher := addInstructor(t, env, "teacher@school.example")
	class := createClass(t, teacher, 0)
	lookups := func(code string, n int) map[int]int {
		var mu sync.Mutex
		statuses := map[int]int{}
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, _, _ := newBrowser(t, env.ts.URL).do("GET", "/api/classrooms/join/"+code, nil)
				mu.Lock()
				statuses[status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		return statuses
	}
	if got := lookups(class.Code, 60); got[http.StatusOK] != 60 {
		t.Errorf("60 lookups of the right code at once: %v, want all 200", got)
	}
	got := lookups("ZZZZZZ", 40)
	if got[http.StatusNotFound]+got[http.StatusTooManyRequests] != 40 {
		t.Errorf("40 wrong codes at once: %v", got)
	}
	status, _, h := newBrowser(t, env.ts.URL).do("GET", "/api/classrooms/join/"+class.Code, nil)
	if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
		t.Errorf("after 40 wrong codes at once: %d (Retry-After %q), want 429", status, h.Get("Retry-After"))
	}
}
