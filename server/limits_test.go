package server

import (
	"net/http"
	"testing"

	"github.com/labplay/playground/client"
	"github.com/labplay/playground/sessions/manager"
)

// Starting sessions outside a classroom is rate-limited per address, on top
// of the cap on what one address holds: refused starts count too, so a
// script that keeps asking is slowed down whatever its cookies.
func TestSessionStartsPerAddress(t *testing.T) {
	e := newEnv(t, envConfig{Docker: true, Manager: manager.Config{MaxPerAddress: 1, MaxPerLearner: 20}})
	first := client.New(e.ts.URL)
	if _, err := first.CreateSession(t.Context(), "", ""); err != nil {
		t.Fatalf("first session: %v", err)
	}
	statuses := map[int]int{}
	for i := 0; i < 12; i++ {
		// A fresh client each time: no cookie, as a script would do.
		status := post(t, client.New(e.ts.URL), "/api/sessions", "", nil)
		statuses[status]++
		if status == http.StatusTooManyRequests {
			break
		}
	}
	// The first start took one token; nine more refusals for the cap use
	// up the burst of ten, and the next is rate-limited.
	if statuses[http.StatusConflict] != 9 || statuses[http.StatusTooManyRequests] != 1 {
		t.Fatalf("statuses after one session = %v, want 9 × 409 (cap per address) then 429", statuses)
	}
}

// Wrong classroom codes are limited per address, so codes cannot be
// guessed by trying them all; a class with the right code never meets it.
// This needs Postgres and no Docker.
func TestWrongClassroomCodesPerAddress(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	c := client.New(e.ts.URL)
	get := func(code string) int {
		res, err := c.HTTP.Get(c.Base + "/api/classrooms/join/" + code)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for i := 0; i < 19; i++ {
		if status := get("ZZZZZZ"); status != http.StatusNotFound {
			t.Fatalf("wrong code %d: status %d, want 404", i+1, status)
		}
	}
	if status := post(t, c, "/api/classrooms/join", `{"code":"ZZZZZY","name":"guess"}`, nil); status != http.StatusNotFound {
		t.Fatalf("join with the 20th wrong code: %d, want 404", status)
	}
	res, err := c.HTTP.Get(c.Base + "/api/classrooms/join/ZZZZZX")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("21st wrong code: %d (Retry-After %q), want 429 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if status := post(t, c, "/api/classrooms/join", `{"code":"ZZZZZW","name":"guess"}`, nil); status != http.StatusTooManyRequests {
		t.Fatalf("join after the limit: %d, want 429", status)
	}
}

// With no cap per address, starts are not rate-limited per address either:
// a workshop behind one router, without a classroom, is limited only by
// the host.
func TestNoCapPerAddressLiftsTheStartRate(t *testing.T) {
	e := newEnv(t, envConfig{Docker: true, Manager: manager.Config{MaxPerAddress: 0, MaxSessions: 1, MaxPerLearner: 20}})
	if _, err := client.New(e.ts.URL).CreateSession(t.Context(), "", ""); err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		if status := post(t, client.New(e.ts.URL), "/api/sessions", "", nil); status != http.StatusServiceUnavailable {
			t.Fatalf("start %d on a full host: %d, want 503 (full), never 429", i+2, status)
		}
	}
}
