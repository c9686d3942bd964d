package server

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labplay/playground/fault"
)

// An error that is only the client leaving (its request's context ended)
// is answered 499 and logged at debug, not as a failure of the server;
// the same error while the client waits is a 503 logged as one.
func TestWriteErrorWhenTheClientLeft(t *testing.T) {
	t.Parallel()
	var logged bytes.Buffer
	s := &Server{log: slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := fault.Wrap(fault.EUNAVAILABLE, fmt.Errorf("query: %w", context.Canceled), "The database did not answer in time.")

	gone := httptest.NewRecorder()
	s.writeError(gone, httptest.NewRequest(http.MethodPost, "/api/x", nil).WithContext(ctx), err)
	if gone.Code != 499 || logged.Len() != 0 {
		t.Errorf("client gone: status %d, log %q; want 499 and nothing at info", gone.Code, logged.String())
	}

	waiting := httptest.NewRecorder()
	s.writeError(waiting, httptest.NewRequest(http.MethodPost, "/api/x", nil), err)
	if waiting.Code != http.StatusServiceUnavailable || !strings.Contains(logged.String(), "request failed") {
		t.Errorf("client waiting: status %d, log %q; want 503 and the failure logged", waiting.Code, logged.String())
	}
}
