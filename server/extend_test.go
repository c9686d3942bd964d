package server

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/labplay/playground/client"
	"github.com/labplay/playground/sessions/manager"
)

// A learner adds time to their session in steps, up to the longest
// lifetime; a stranger cannot.
func TestExtendSession(t *testing.T) {
	e := newEnv(t, envConfig{Docker: true, Manager: manager.Config{Lifetime: time.Hour, ExtendStep: 30 * time.Minute, MaxLifetime: 2 * time.Hour}})
	ctx := context.Background()
	c := client.New(e.ts.URL)
	s, err := c.CreateSession(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/sessions/" + s.ID + "/extend"
	if _, err := client.New(e.ts.URL).Do(ctx, "POST", path, nil, nil); err == nil || err.(*client.APIError).Status != http.StatusNotFound {
		t.Errorf("a stranger extends: %v, want 404", err)
	}
	prev := s.ExpiresAt
	for i, want := range []time.Duration{30 * time.Minute, 30 * time.Minute} {
		var got client.Session
		if _, err := c.Do(ctx, "POST", path, nil, &got); err != nil {
			t.Fatalf("extension %d: %v", i+1, err)
		}
		if d := got.ExpiresAt.Sub(prev); d != want {
			t.Errorf("extension %d added %v, want %v", i+1, d, want)
		}
		prev = got.ExpiresAt
	}
	if _, err := c.Do(ctx, "POST", path, nil, nil); err == nil || err.(*client.APIError).Status != http.StatusConflict {
		t.Errorf("past the longest lifetime: %v, want 409", err)
	}
}
