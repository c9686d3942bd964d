package server

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/labplay/playground/labs"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/web"
)

// fakeManager is a Manager whose methods are functions a test sets, for
// what a test cannot have for real without Docker (an engine that fails
// on cue). A method the test did not set panics through the embedded nil
// Manager; the server answers that with a 500, which the test sees.
type fakeManager struct {
	Manager
	PingFn func(ctx context.Context) (dbErr, engineErr error)
	GetFn  func(ctx context.Context, userID, id string) (*sessions.Session, error)
}

var _ Manager = (*fakeManager)(nil)

// Ping calls PingFn.
func (f *fakeManager) Ping(ctx context.Context) (dbErr, engineErr error) { return f.PingFn(ctx) }

// Get calls GetFn.
func (f *fakeManager) Get(ctx context.Context, userID, id string) (*sessions.Session, error) {
	return f.GetFn(ctx, userID, id)
}

// newFakeServer serves a server in front of m, with neither a database nor
// an engine, until the test ends.
func newFakeServer(t *testing.T, m Manager) *httptest.Server {
	t.Helper()
	site, err := web.New(web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := New(Config{}, Deps{Manager: m, Labs: labs.Builtin(), Site: site, Secret: []byte("test secret"), Log: slog.New(slog.DiscardHandler)})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}
