package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The metrics follow what learners do: a session start, its nodes, a
// terminal and its bytes, a check, requests by route, an error by code.
func TestMetrics(t *testing.T) {
	e := newEnv(t, envConfig{Docker: true})
	ctx := context.Background()
	c, s := newLearner(t, e, "docker-orchestration", "en")
	tm := openTerminal(t, c, s.ID, "node1")
	tm.Send("echo metric-$((6*7))\r")
	if err := tm.WaitOutput("metric-42", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(ctx, "POST", "/api/sessions/"+s.ID+"/sections/swarm/check", nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(ctx, "GET", "/api/sessions/no-such-session", nil, nil); err == nil {
		t.Fatal("a missing session was found")
	}

	rec := httptest.NewRecorder()
	e.metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("metrics: %d", rec.Code)
	}
	body, _ := io.ReadAll(rec.Body)
	text := string(body)
	for _, want := range []string{
		`playground_sessions{state="running"} 1`,
		`playground_nodes 3`,
		`playground_session_start_seconds_count{kind="cold",result="ok"} 1`,
		`playground_terminal_connections 1`,
		`playground_checks_total{auto="false",outcome="failed"} 1`,
		`playground_http_requests_total{method="POST",route="/api/sessions",status="201"} 1`,
		`playground_http_requests_total{method="GET",route="/api/sessions/{id}",status="404"} 1`,
		`playground_errors_total{code="not_found"} 1`,
		`playground_db_connections_max `,
		`go_goroutines `,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	for _, dir := range []string{"in", "out"} {
		m := regexp.MustCompile(`playground_terminal_bytes_total\{direction="` + dir + `"\} (\d+)`).FindStringSubmatch(text)
		if m == nil || m[1] == "0" {
			t.Errorf("terminal bytes %s: %v", dir, m)
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", text)
	}
	// They are not on the public listener.
	res, err := http.Get(e.ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode == http.StatusOK || strings.Contains(string(pub), "playground_") {
		t.Errorf("the public listener serves /metrics: %d", res.StatusCode)
	}
}
