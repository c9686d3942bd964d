package manager

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/engine"
)

// MaxTransfers bounds the uploads and downloads one session runs at once, so
// that a learner's script cannot hold the server's connections to the
// engine open by the hundred.
const MaxTransfers = 2

// transfers counts each session's uploads and downloads in flight.
type transfers struct {
	mu   sync.Mutex
	busy map[string]int
}

// enter takes one of the session's transfer slots, or refuses at once.
func (t *transfers) enter(sessionID string) (leave func(), err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.busy == nil {
		t.busy = map[string]int{}
	}
	if t.busy[sessionID] >= MaxTransfers {
		return nil, &sessions.Error{Code: sessions.ERATELIMITED, RetryAfter: 5 * time.Second,
			Message: "Two files are already moving for this session; wait for one to finish."}
	}
	t.busy[sessionID]++
	return func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.busy[sessionID]--; t.busy[sessionID] <= 0 {
			delete(t.busy, sessionID)
		}
	}, nil
}

// fileNode returns the running node of the caller's live session that a
// file moves to or from.
func (m *Manager) fileNode(ctx context.Context, userID, id, name string) (*sessions.Session, *sessions.Node, error) {
	s, err := m.Get(ctx, userID, id)
	if err != nil {
		return nil, nil, err
	}
	if !s.Live() {
		return nil, nil, sessions.Errorf(sessions.ECONFLICT, "This session has ended; start a new one to go on.")
	}
	node := s.Node(name)
	if node == nil || node.ContainerID == "" {
		return nil, nil, sessions.Errorf(sessions.ENOTFOUND, "This session has no node %q.", name)
	}
	return s, node, nil
}

// WriteFile writes size bytes of content to path on a node of the caller's
// session (see engine.WriteFile for relative paths and atomicity).
func (m *Manager) WriteFile(ctx context.Context, userID, id, nodeName, path string, size int64, content io.Reader) (engine.FileInfo, error) {
	s, node, err := m.fileNode(ctx, userID, id, nodeName)
	if err != nil {
		return engine.FileInfo{}, err
	}
	leave, err := m.transfers.enter(s.ID)
	if err != nil {
		return engine.FileInfo{}, err
	}
	defer leave()
	return m.engine.WriteFile(ctx, node.ContainerID, path, size, content)
}

// ReadFile looks up a regular file on a node of the caller's session and
// returns its description and a function that copies it to w; the caller
// writes its headers in between, then must call the function once: the
// transfer slot is held until it returns.
func (m *Manager) ReadFile(ctx context.Context, userID, id, nodeName, path string) (engine.FileInfo, func(io.Writer) error, error) {
	s, node, err := m.fileNode(ctx, userID, id, nodeName)
	if err != nil {
		return engine.FileInfo{}, nil, err
	}
	leave, err := m.transfers.enter(s.ID)
	if err != nil {
		return engine.FileInfo{}, nil, err
	}
	info, err := m.engine.StatFile(ctx, node.ContainerID, path)
	if err != nil {
		leave()
		return engine.FileInfo{}, nil, err
	}
	var once sync.Once
	copyTo := func(w io.Writer) error {
		defer once.Do(leave)
		return m.engine.ReadFile(ctx, node.ContainerID, info.Path, w)
	}
	return info, copyTo, nil
}
