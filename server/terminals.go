package server

import (
	"context"
	"sync"

	"github.com/labplay/playground/fault"

	"github.com/gorilla/websocket"

	"github.com/labplay/playground/ratelimit"
)

// maxTermsPerSession bounds the terminal connections of one session: its
// nodes (one to five) in a few tabs, and an instructor watching. Each holds an exec,
// a relay in the node and buffers, so a script opening them without end
// would cost the host, not only its own session.
const maxTermsPerSession = 12

// terminalSet is the set of open terminal connections.
type terminalSet struct {
	mu         sync.Mutex
	conns      map[*terminalConn]struct{}
	perSession *ratelimit.Cap // admitted connections, open or opening, in every process
	closed     bool
	wg         sync.WaitGroup
}

// admit counts one more terminal of a session, or answers ERATELIMITED when
// it has maxTermsPerSession already, over every process sharing the
// database. Call release when the connection ends.
func (ts *terminalSet) admit(ctx context.Context, sessionID string) (release func(), err error) {
	release, ok := ts.perSession.Enter(ctx, sessionID)
	if !ok {
		return nil, fault.Errorf(fault.ERATELIMITED, "This session has %d terminals open already; close some tabs.", maxTermsPerSession)
	}
	return release, nil
}

// add registers an open connection; it fails once shutdown has begun.
func (ts *terminalSet) add(tc *terminalConn) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.closed {
		return false
	}
	ts.conns[tc] = struct{}{}
	ts.wg.Add(1)
	return true
}

// remove forgets a connection that has finished.
func (ts *terminalSet) remove(tc *terminalConn) {
	ts.mu.Lock()
	delete(ts.conns, tc)
	ts.mu.Unlock()
	ts.wg.Done()
}

// closeAll tells every browser the server is going away (they reconnect to
// the same shells) and waits for the connections to finish, or for ctx.
func (ts *terminalSet) closeAll(ctx context.Context) {
	ts.mu.Lock()
	ts.closed = true
	open := make([]*terminalConn, 0, len(ts.conns))
	for tc := range ts.conns {
		open = append(open, tc)
	}
	ts.mu.Unlock()
	// In parallel: a stuck client costs its own write deadline, not everyone's.
	for _, tc := range open {
		go tc.close(websocket.CloseGoingAway, "server restarting")
	}
	done := make(chan struct{})
	go func() { ts.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// Shutdown ends what the server holds open beyond a request, once the HTTP
// server has stopped taking them: it tells every open terminal that the
// server is going away and waits for them to finish, or for ctx.
func (s *Server) Shutdown(ctx context.Context) {
	s.terms.closeAll(ctx)
}
