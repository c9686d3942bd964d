package server

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/labplay/playground/client"
)

type progressAnswer struct {
	Lab      string `json:"lab"`
	Sections []struct {
		ID       string `json:"id"`
		Title    string `json:"title"`
		Status   string `json:"status"`
		Attempts int    `json:"attempts"`
		Output   string `json:"output"`
	} `json:"sections"`
}

func TestChecksRecordWhatMatters(t *testing.T) {
	e := newEnv(t, envConfig{Docker: true})
	ctx := context.Background()
	c := client.New(e.ts.URL)
	s, err := c.CreateSession(ctx, "docker-orchestration", "fr")
	if err != nil {
		t.Fatal(err)
	}
	base := "/api/sessions/" + s.ID
	progress := func() progressAnswer {
		t.Helper()
		var p progressAnswer
		if _, err := c.Do(ctx, "GET", base+"/progress", nil, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := progress()
	if p.Lab != "docker-orchestration" || len(p.Sections) != 6 || p.Sections[1].ID != "swarm" || p.Sections[1].Title == "" {
		t.Fatalf("progress = %+v", p)
	}

	// Before swarm init, an automatic check fails and leaves no trace.
	var res struct {
		Passed bool   `json:"passed"`
		Output string `json:"output"`
	}
	if _, err := c.Do(ctx, "POST", base+"/sections/swarm/check", map[string]bool{"auto": true}, &res); err != nil || res.Passed {
		t.Fatalf("auto check before init = %+v, %v", res, err)
	}
	if got := progress().Sections[1]; got.Attempts != 0 || got.Status != "pending" {
		t.Fatalf("a failing automatic check was recorded: %+v", got)
	}
	// The learner's own check is recorded, with its hint.
	if _, err := c.Do(ctx, "POST", base+"/sections/swarm/check", nil, &res); err != nil || res.Passed || res.Output == "" {
		t.Fatalf("check before init = %+v, %v", res, err)
	}
	if got := progress().Sections[1]; got.Attempts != 1 || got.Status != "failed" || got.Output != res.Output {
		t.Fatalf("after a failed check: %+v", got)
	}
	// A value that does not exist yet (no swarm, no join token) is refused
	// with a clear message rather than typing a broken command.
	_, err = c.Do(ctx, "POST", base+"/blocks/swarm-3/resolve", nil, nil)
	if status, code := apiStatus(err); status != http.StatusConflict || code != "conflict" {
		t.Fatalf("resolving the join command before init: %v", err)
	}
	// A section without a check is acknowledged.
	if _, err := c.Do(ctx, "POST", base+"/sections/orchestration/check", nil, &res); err != nil || !res.Passed {
		t.Fatalf("acknowledge = %+v, %v", res, err)
	}
	// Unknown sections and blocks are not found; check scripts never leak.
	for _, path := range []string{base + "/sections/nope/check", base + "/blocks/nope-1/resolve"} {
		if _, err := c.Do(ctx, "POST", path, nil, nil); err == nil {
			t.Fatalf("POST %s succeeded", path)
		} else if status, _ := apiStatus(err); status != 404 {
			t.Fatalf("POST %s: %v, want 404", path, err)
		}
	}
	var lab struct {
		Sections []struct {
			HTML string `json:"html"`
		} `json:"sections"`
	}
	if _, err := c.Do(ctx, "GET", "/api/labs/docker-orchestration?lang=fr", nil, &lab); err != nil {
		t.Fatal(err)
	}
	for _, sec := range lab.Sections {
		if strings.Contains(sec.HTML, "LocalNodeState") || strings.Contains(sec.HTML, "exit 1") {
			t.Fatalf("rendered lab contains check script text: %.200s", sec.HTML)
		}
	}
	// Starting again from scratch.
	if _, err := c.Do(ctx, "POST", base+"/progress/reset", nil, nil); err != nil {
		t.Fatal(err)
	}
	for _, sec := range progress().Sections {
		if sec.Status != "pending" || sec.Attempts != 0 {
			t.Fatalf("after reset: %+v", sec)
		}
	}
}
