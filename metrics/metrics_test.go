package metrics

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Methods are labels only when net/http knows them: any other word a client
// sends counts as "other", so nobody can make new series at will.
func TestRequestMethodsAreBounded(t *testing.T) {
	m := New(nil, nil)
	for _, method := range []string{"GET", "POST", "BREW", "X-" + strings.Repeat("a", 100)} {
		m.Request("/api/sessions", method, 404, time.Millisecond, false)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	text := rec.Body.String()
	if !strings.Contains(text, `method="other",route="/api/sessions",status="404"} 2`) {
		t.Errorf("unknown methods were not folded into other:\n%s", text)
	}
	if strings.Contains(text, "BREW") {
		t.Error("an unknown method became a label")
	}
	var nilMetrics *Metrics // every method is safe on nil
	nilMetrics.Request("/", "GET", 200, 0, false)
	nilMetrics.TerminalOpened()()
}
