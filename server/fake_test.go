package server

import (
	"context"

	"github.com/labplay/playground/sessions"
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
