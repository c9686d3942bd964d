package agent

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/labplay/playground/fault"
)

// Server accepts terminal connections on a unix socket and owns the node's
// terminals, which it creates on first attach.
type Server struct {
	cfg    Config
	reaper *Reaper
	log    *slog.Logger
	ln     net.Listener

	mu     sync.Mutex
	closed bool
	terms  map[string]*terminal
	conns  map[net.Conn]struct{}

	wg sync.WaitGroup // the accept loop and every connection handler
}

// StartServer listens on cfg.Socket (mode 0600, in a directory created with
// mode 0700 when missing) and serves connections until Close. A stale socket
// file is replaced; a live one is an ECONFLICT error.
func StartServer(cfg Config, reaper *Reaper) (*Server, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	ln, err := listenUnix(cfg.Socket)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:    cfg,
		reaper: reaper,
		log:    log,
		ln:     ln,
		terms:  make(map[string]*terminal),
		conns:  make(map[net.Conn]struct{}),
	}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// listenUnix listens on path, replacing a socket file nobody answers on.
func listenUnix(path string) (net.Listener, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("socket directory: %w", err)
	}
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, fault.Errorf(fault.ECONFLICT, "an agent already listens on %s", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("remove stale socket: %w", err)
		}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("socket mode: %w", err)
	}
	return ln, nil
}

// Addr returns the path of the socket.
func (s *Server) Addr() string { return s.cfg.Socket }

// accept hands each connection to a handler goroutine until the listener
// closes.
func (s *Server) accept() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.log.Error("accept", "err", err)
			time.Sleep(100 * time.Millisecond) // e.g. out of file descriptors
			continue
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			conn.Close()
			continue
		}
		s.conns[conn] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.handle(conn)
	}
}

// forget closes conn and drops it from the server's set.
func (s *Server) forget(conn net.Conn) {
	conn.Close()
	s.mu.Lock()
	delete(s.conns, conn)
	s.mu.Unlock()
}

// terminalNamed returns the named terminal, starting it on first use.
func (s *Server) terminalNamed(name string) (*terminal, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, fault.Errorf(fault.EUNAVAILABLE, "The node is shutting down.")
	}
	if t, ok := s.terms[name]; ok {
		return t, nil
	}
	if len(s.terms) >= s.cfg.MaxTerminals {
		return nil, fault.Errorf(fault.EFULL, "This node already runs %d terminals.", s.cfg.MaxTerminals)
	}
	t, err := newTerminal(name, s.cfg.Terminal, s.reaper, s.log)
	if err != nil {
		return nil, fault.Wrap(fault.EUNAVAILABLE, err, "The shell could not be started.")
	}
	s.terms[name] = t
	return t, nil
}

// Close stops accepting, closes every terminal (its clients get a fatal
// error frame), closes the remaining connections and waits for all of it.
// It is safe to call more than once.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		s.wg.Wait()
		return
	}
	s.closed = true
	terms := s.terms
	s.mu.Unlock()

	s.ln.Close()
	var wg sync.WaitGroup
	for _, t := range terms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Close()
		}()
	}
	wg.Wait()

	s.mu.Lock()
	for conn := range s.conns {
		// Frames already queued get the write grace; reads end now.
		_ = conn.SetWriteDeadline(time.Now().Add(s.cfg.WriteGrace))
		_ = conn.SetReadDeadline(time.Now())
	}
	s.mu.Unlock()
	s.wg.Wait()
}
