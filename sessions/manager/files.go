package manager

import (
	"context"
	"io"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/sessions"
)

// MaxTransfers bounds the uploads and downloads one session runs at once, so
// that a learner's script cannot hold the server's connections to the
// engine open by the hundred.
const MaxTransfers = 2

// enterTransfer takes one of the session's transfer slots, or refuses at
// once.
func (m *Manager) enterTransfer(ctx context.Context, sessionID string) (leave func(), err error) {
	leave, ok := m.transfers.Enter(ctx, sessionID)
	if !ok {
		return nil, &fault.Error{Code: fault.ERATELIMITED, RetryAfter: 5 * time.Second,
			Message: "Two files are already moving for this session; wait for one to finish."}
	}
	return leave, nil
}

// WriteFile writes size bytes of content to path on a node of the caller's
// session (see engine.WriteFile for relative paths and atomicity).
func (m *Manager) WriteFile(ctx context.Context, userID, id, nodeName, path string, size int64, content io.Reader) (sessions.FileInfo, error) {
	s, node, err := m.liveNode(ctx, userID, id, nodeName)
	if err != nil {
		return sessions.FileInfo{}, err
	}
	leave, err := m.enterTransfer(ctx, s.ID)
	if err != nil {
		return sessions.FileInfo{}, err
	}
	defer leave()
	return m.engine.WriteFile(ctx, node.ContainerID, path, size, content)
}

// ReadFile looks up a regular file on a node of the caller's session and
// returns its description and a function that copies it to w; the caller
// writes its headers in between, then must call the function once: the
// transfer slot is held until it returns.
func (m *Manager) ReadFile(ctx context.Context, userID, id, nodeName, path string) (sessions.FileInfo, func(io.Writer) error, error) {
	s, node, err := m.liveNode(ctx, userID, id, nodeName)
	if err != nil {
		return sessions.FileInfo{}, nil, err
	}
	leave, err := m.enterTransfer(ctx, s.ID)
	if err != nil {
		return sessions.FileInfo{}, nil, err
	}
	info, err := m.engine.StatFile(ctx, node.ContainerID, path)
	if err != nil {
		leave()
		return sessions.FileInfo{}, nil, err
	}
	copyTo := func(w io.Writer) error {
		defer leave()
		return m.engine.ReadFile(ctx, node.ContainerID, info.Path, w)
	}
	return info, copyTo, nil
}
